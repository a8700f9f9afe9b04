/**
 * `zkeb snapshots` (the list, metadata opened here), `zkeb forget SNAPSHOT...` and `zkeb stats` (what the server
 * stores against the logical bytes the snapshots hold, and the ratio of the two).
 */
import { allSnapshots, run, type SnapshotMetadata, type SnapshotRecord } from '../../snapshot'
import type { Ctx, Output } from '../context'
import { cliError, ExitCode } from '../exit-codes'
import { formatBytes } from '../progress'
import {
  metadataOrNull,
  parseSnapshotRef,
  resolveSnapshot,
  shortId,
  withRepository,
} from '../snapshot-session'

type Listed = Readonly<{ record: SnapshotRecord; metadata: SnapshotMetadata | null }>

const jsonOf = ({ record, metadata }: Listed) => ({
  snapshotId: record.snapshotId,
  seriesId: record.seriesId,
  deviceId: record.deviceId,
  receivedAt: record.receivedAt,
  time: metadata?.time ?? null,
  host: metadata?.host ?? null,
  paths: metadata?.paths ?? null,
  tags: metadata?.tags ?? null,
  parent: metadata?.parent ?? null,
  summary: metadata?.summary ?? null,
})

const row = ({ record, metadata }: Listed): string => {
  if (metadata === null) return `${shortId(record.snapshotId)}  ${record.receivedAt}  (metadata unreadable)\n`
  const size = formatBytes(metadata.summary.totalBytes).padStart(10)
  const tags = metadata.tags.length === 0 ? '' : `  [${metadata.tags.join(',')}]`
  return `${shortId(record.snapshotId)}  ${metadata.time}  ${metadata.host}  ${size}  ${metadata.paths.join(' ')}${tags}\n`
}

export const snapshotsCommand = (ctx: Ctx): Promise<Output> =>
  withRepository(ctx, async (repo) => {
    const listed: Listed[] = []
    for (const record of await allSnapshots(repo))
      listed.push({ record, metadata: await metadataOrNull(repo, record) })
    return {
      json: listed.map(jsonOf),
      text: listed.length === 0 ? 'No snapshots.\n' : listed.map(row).join(''),
    }
  })

export const forgetCommand = (ctx: Ctx): Promise<Output> => {
  const refs = ctx.args.positionals.slice(1)
  if (refs.length === 0) return cliError(ExitCode.usage, 'usage: zkeb forget SNAPSHOT…')
  const ids = refs.map((r) => {
    const ref = parseSnapshotRef(r)
    return ref.subPath === undefined ? ref.id : cliError(ExitCode.usage, 'forget takes snapshots, not paths')
  })
  return withRepository(ctx, async (repo) => {
    // Every reference is resolved before anything is forgotten: a typo forgets nothing.
    const records = []
    for (const id of ids) records.push(await resolveSnapshot(repo, id))
    const forgotten: string[] = []
    for (const r of records)
      if (await run(repo.store.deleteSnapshot(r.snapshotId))) forgotten.push(r.snapshotId)
    return {
      json: { forgotten },
      text: forgotten.map((id) => `Forgot ${id}.\n`).join(''),
    }
  })
}

export const statsCommand = (ctx: Ctx): Promise<Output> =>
  withRepository(ctx, async (repo) => {
    const stored = await run(repo.store.stats())
    let logicalBytes = 0
    for (const record of await allSnapshots(repo))
      logicalBytes += (await metadataOrNull(repo, record))?.summary.totalBytes ?? 0
    const dedupRatio = stored.storedBytes === 0 ? null : logicalBytes / stored.storedBytes
    const ratio = dedupRatio === null ? '-' : `${dedupRatio.toFixed(2)}x`
    return {
      json: { ...stored, logicalBytes, dedupRatio },
      text:
        `snapshots:      ${stored.snapshots}\n` +
        `logical bytes:  ${formatBytes(logicalBytes)} (the files of every snapshot, each counted in full)\n` +
        `stored bytes:   ${formatBytes(stored.storedBytes)} (${stored.objects} objects in ${stored.packs} packs, encrypted and padded)\n` +
        `dedup ratio:    ${ratio}\n`,
    }
  })

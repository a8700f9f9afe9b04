/**
 * Knows a backup run: PATHs → trees and chunks in the store → one signed snapshot record. Incremental against
 * the series' latest snapshot (or a given parent). A run killed midway leaves only objects no snapshot
 * references; the next run's `has` finds them and sends only what is missing.
 */
import { randomUUID } from 'node:crypto'
import { lstat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { utf8 } from '../crypto/bytes'
import { walker, type WalkCounts } from './archive-walk'
import { hex } from './binary'
import { fsFailure, invalidArgument, raise, SnapshotError, SnapshotFailure } from './errors'
import { excluder } from './excludes'
import { encryptSnapshotMetadata, type SnapshotMetadata, type SnapshotSummary } from './metadata'
import type { ObjectId } from './object'
import { attempt, loadTree, run, snapshotMetadata, type Repository } from './repository'
import { seriesIdOf, snapshotSigningBytes, sortedRefs, type SnapshotId } from './snapshot-record'
import type { SnapshotRecord } from './store'
import type { Tree, TreeEntry } from './tree'
import { uploader } from './uploader'

export type BackupOptions = Readonly<{
  paths: ReadonlyArray<string>
  host: string
  deviceId: string
  /** Ed25519 signature by the device over the signing bytes. */
  sign: (signingBytes: Uint8Array) => Promise<Uint8Array>
  excludes?: ReadonlyArray<string>
  tags?: ReadonlyArray<string>
  /** 'auto' (default): the series' latest snapshot; 'none': read every file. */
  parent?: 'auto' | 'none' | SnapshotId
  dryRun?: boolean
  compressData?: boolean
  now?: () => Date
  /** After each file, read or unchanged, with its size (progress). */
  onFile?: (bytes: number) => void
}>

export type BackupResult = Readonly<{
  snapshotId: SnapshotId
  /** Undefined for a dry run. */
  record: SnapshotRecord | undefined
  metadata: SnapshotMetadata
  warnings: ReadonlyArray<Readonly<{ path: string; code: string }>>
}>

type Root = Readonly<{ path: string; name: Uint8Array }>

const roots = (paths: ReadonlyArray<string>): ReadonlyArray<Root> => {
  const absolute = [...new Set(paths.map((p) => resolve(p)))]
  const named = absolute.map((path) => ({ path, name: utf8(basename(path)) }))
  if (named.length === 0) raise(invalidArgument('no PATH'))
  if (named.some((r) => r.name.length === 0))
    raise(invalidArgument('PATH "/" (back up the folders under it)'))
  if (new Set(named.map((r) => hex(r.name))).size !== named.length)
    raise(invalidArgument('two PATHs with one base name'))
  return named
}

const parentRecord = async (repo: Repository, seriesId: string, parent: BackupOptions['parent']) => {
  if (parent === 'none') return undefined
  if (parent === undefined || parent === 'auto')
    return (await run(repo.store.listSnapshots({ seriesId, limit: 1 }))).items[0]
  return O.toUndefined(await run(repo.store.getSnapshot(parent)))
}

const summaryOf = (
  c: WalkCounts,
  sent: ReturnType<typeof uploader>['stats'],
  durationMs: number,
): SnapshotSummary => ({
  ...c,
  bytesSent: sent.bytesSent,
  dataObjectsSent: sent.dataObjectsSent,
  treeObjectsSent: sent.treeObjectsSent,
  durationMs,
})

const backupOnce = async (
  repo: Repository,
  o: BackupOptions,
  parentChoice: BackupOptions['parent'],
): Promise<BackupResult> => {
  const now = o.now ?? (() => new Date())
  const started = now()
  const rootList = roots(o.paths)
  for (const r of rootList) await lstat(r.path).catch((e: unknown) => raise(fsFailure('lstat', r.path, e)))
  const seriesId = seriesIdOf(
    repo.keys.seriesKey,
    o.host,
    rootList.map((r) => r.path),
  )
  const parent = await parentRecord(repo, seriesId, parentChoice)
  const parentRoot: Tree =
    parent === undefined ? [] : await loadTree(repo, (await snapshotMetadata(repo, parent)).tree as ObjectId)
  const previous = new Map(parentRoot.map((e) => [hex(e.name), e]))

  const up = uploader(repo, { dryRun: o.dryRun, compressData: o.compressData })
  const counts: WalkCounts = {
    filesNew: 0,
    filesChanged: 0,
    filesUnchanged: 0,
    dirs: 0,
    symlinks: 0,
    skipped: 0,
    totalFiles: 0,
    totalBytes: 0,
    bytesRead: 0,
  }
  const refs = new Set<ObjectId>()
  const warnings: Array<{ path: string; code: string }> = []
  const walk = walker({
    repo,
    up,
    exclude: excluder(o.excludes ?? []),
    counts,
    refs,
    warnings,
    onFile: o.onFile,
  })
  const entries: Array<TreeEntry | undefined> = []
  for (const r of rootList)
    entries.push(await walk.archiveEntry(Buffer.from(r.path), r.name, previous.get(hex(r.name))))
  const tree = await walk.archiveTree(entries)
  await up.finish()

  const snapshotId = randomUUID() as SnapshotId
  const metadata: SnapshotMetadata = {
    version: 1,
    tree,
    host: o.host,
    paths: rootList.map((r) => r.path),
    tags: [...(o.tags ?? [])],
    time: started.toISOString(),
    parent: parent?.snapshotId ?? null,
    summary: summaryOf(counts, up.stats, now().getTime() - started.getTime()),
  }
  const encrypted = await encryptSnapshotMetadata(repo.keys.metadataKey, snapshotId, metadata)
  if (E.isLeft(encrypted)) return raise(encrypted.left)
  const sorted = sortedRefs(refs)
  const signature = await o.sign(
    snapshotSigningBytes({ snapshotId, seriesId, encryptedMetadata: encrypted.right, refs: sorted }),
  )
  if (o.dryRun === true) return { snapshotId, record: undefined, metadata, warnings }
  const record = await run(
    repo.store.putSnapshot({
      snapshotId,
      seriesId,
      deviceId: o.deviceId,
      encryptedMetadata: encrypted.right,
      signature,
      refs: sorted,
    }),
  )
  return { snapshotId, record, metadata, warnings }
}

const missingObjects = (e: unknown): boolean =>
  e instanceof SnapshotFailure && e.error._tag === 'ObjectsMissing'

/**
 * Backs up PATHs as one snapshot. If the store no longer holds something the parent referenced (the parent was
 * forgotten and collected meanwhile), the run is repeated once without a parent, reading every file.
 */
export const backup = (repo: Repository, o: BackupOptions): Promise<E.Either<SnapshotError, BackupResult>> =>
  attempt(async () => {
    try {
      return await backupOnce(repo, o, o.parent)
    } catch (e) {
      if (!missingObjects(e) || o.parent === 'none') throw e
      return backupOnce(repo, o, 'none')
    }
  })

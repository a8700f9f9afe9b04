/**
 * The snapshot commands that read: `zkeb ls SNAPSHOT[:PATH]`, `zkeb restore SNAPSHOT[:PATH] --target DIR`,
 * `zkeb diff SNAP1 SNAP2` and `zkeb check [--read-data]`. Every object is verified on arrival (the engine), and
 * a restore into a target an interrupted run left behind keeps the files that verify and rewrites the rest.
 */
import { resolve } from 'node:path'
import { check, diffSnapshots, listSnapshot, restore, type Change, type Listed } from '../../snapshot'
import type { Ctx, Output } from '../context'
import { cliError, ExitCode } from '../exit-codes'
import { createProgress, formatBytes } from '../progress'
import { describeSnapshotError, snap } from '../snapshot-errors'
import { parseSnapshotRef, resolveSnapshot, shortId, withRepository } from '../snapshot-session'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
const mtimeOf = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString()
const modeOf = (mode: number): string => mode.toString(8).padStart(4, '0')

const entryJson = ({ path, entry }: Listed) => ({
  path: text(path),
  type: entry.type,
  mode: modeOf(entry.mode),
  size: entry.size,
  mtime: mtimeOf(entry.mtimeNs),
  ...(entry.type === 'symlink' ? { target: text(entry.target) } : {}),
})

const entryRow = (l: Listed): string => {
  const e = entryJson(l)
  const kind = e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : '-'
  const link = e.target === undefined ? '' : ` -> ${e.target}`
  return `${kind} ${e.mode} ${String(e.size).padStart(12)}  ${e.mtime}  ${e.path}${link}\n`
}

export const lsSnapshotCommand = (ctx: Ctx): Promise<Output> => {
  const ref = parseSnapshotRef(ctx.args.positionals[1]!)
  return withRepository(ctx, async (repo) => {
    const record = await resolveSnapshot(repo, ref.id)
    const listed: Listed[] = []
    for await (const l of listSnapshot(repo, record, ref.subPath)) listed.push(l)
    return { json: listed.map(entryJson), text: listed.map(entryRow).join('') }
  })
}

export const restoreSnapshotCommand = (ctx: Ctx): Promise<Output> => {
  const arg =
    ctx.args.positionals[1] ?? cliError(ExitCode.usage, 'usage: zkeb restore SNAPSHOT[:PATH] --target DIR')
  const ref = parseSnapshotRef(arg)
  const target = resolve(ctx.args.values.target!)
  return withRepository(ctx, async (repo) => {
    const record = await resolveSnapshot(repo, ref.id)
    const progress = createProgress(ctx.io.stderr, 'restore', !ctx.json)
    let total = 0
    // The total is one more walk of the trees: only worth it when a bar is drawn.
    if (ctx.io.stderr.isTTY === true && !ctx.json)
      for await (const l of listSnapshot(repo, record, ref.subPath)) total += l.entry.size
    let done = 0
    const summary = snap(
      await restore(repo, record, {
        target,
        ...(ref.subPath === undefined ? {} : { subPath: ref.subPath }),
        onFile: (bytes) => progress.update((done += bytes), Math.max(total, done)),
      }).finally(() => progress.done()),
    )
    return {
      json: { snapshotId: record.snapshotId, subPath: ref.subPath ?? null, target, ...summary },
      text:
        `Restored ${shortId(record.snapshotId)}${ref.subPath === undefined ? '' : `:${ref.subPath}`} into ${target}: ` +
        `${summary.filesRestored} files written, ${summary.filesSkipped} already complete, ` +
        `${formatBytes(summary.bytesWritten)} written, ${summary.dirs} folders, ${summary.symlinks} symlinks\n`,
    }
  })
}

const changeMark: Readonly<Record<Change['change'], string>> = {
  added: '+',
  removed: '-',
  content: 'M',
  metadata: 'U',
}

export const diffCommand = (ctx: Ctx): Promise<Output> => {
  const [, a, b] = ctx.args.positionals
  if (a === undefined || b === undefined) return cliError(ExitCode.usage, 'usage: zkeb diff SNAP1 SNAP2')
  const [refA, refB] = [parseSnapshotRef(a), parseSnapshotRef(b)]
  if (refA.subPath !== undefined || refB.subPath !== undefined)
    return cliError(ExitCode.usage, 'diff compares whole snapshots: give ids without :PATH')
  return withRepository(ctx, async (repo) => {
    const [x, y] = [await resolveSnapshot(repo, refA.id), await resolveSnapshot(repo, refB.id)]
    const changes: Array<{ path: string; change: Change['change'] }> = []
    for await (const c of diffSnapshots(repo, x, y)) changes.push({ path: text(c.path), change: c.change })
    const counts = Object.fromEntries(
      (['added', 'removed', 'content', 'metadata'] as const).map((k) => [
        k,
        changes.filter((c) => c.change === k).length,
      ]),
    )
    return {
      json: { from: x.snapshotId, to: y.snapshotId, changes },
      text:
        changes.map((c) => `${changeMark[c.change]} ${c.path}\n`).join('') +
        `${counts.added} added, ${counts.removed} removed, ${counts.content} modified, ${counts.metadata} metadata only\n`,
    }
  })
}

export const checkCommand = (ctx: Ctx): Promise<Output> =>
  withRepository(ctx, async (repo) => {
    const readData = ctx.args.booleans.has('read-data')
    const report = snap(await check(repo, { readData }))
    const what =
      `${report.snapshots} snapshots, ${report.trees} trees, ${report.dataObjects} data objects` +
      (readData ? `, ${formatBytes(report.dataBytesRead)} of data read and verified` : '')
    if (report.problems.length > 0) {
      for (const p of report.problems.slice(0, 20))
        ctx.io.stderr.write(
          `zkeb: ${p.snapshotId === undefined ? '' : `snapshot ${shortId(p.snapshotId)}: `}${describeSnapshotError(p.error)}\n`,
        )
      return cliError(ExitCode.integrity, `check found ${report.problems.length} problem(s) in ${what}`)
    }
    return { json: { ...report, ok: true }, text: `No problems: ${what}.\n` }
  })

/**
 * `zkeb backup PATH... [--exclude PATTERN]... [--exclude-file F] [--tag T]... [--dry-run]`: one snapshot of the
 * PATHs, incremental against the latest snapshot of the same host and PATHs (the engine's parent logic), ending
 * with a summary line. Progress (files, bytes, rate, ETA) is drawn only on a terminal.
 */
import { readFile } from 'node:fs/promises'
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { backup, type SnapshotSummary } from '../../snapshot'
import type { Ctx, Output } from '../context'
import { cliError, ExitCode } from '../exit-codes'
import { createProgress, formatBytes } from '../progress'
import { snap } from '../snapshot-errors'
import { signerOf, thisHost, withRepository } from '../snapshot-session'

/** Patterns from --exclude-file: one a line; blank lines and lines starting with # are ignored. */
const excludeFileLines = async (file: string | undefined): Promise<string[]> => {
  if (file === undefined) return []
  const text = await readFile(file, 'utf8').catch(() => cliError(ExitCode.localFile, `cannot read ${file}`))
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/** Bytes in regular files under `path` (symlinks not followed): the progress bar's total, on a terminal only. */
const bytesUnder = async (path: string): Promise<number> => {
  const st = await lstat(path).catch(() => undefined)
  if (st === undefined) return 0
  if (st.isFile()) return st.size
  if (!st.isDirectory()) return 0
  let total = 0
  for (const name of await readdir(path).catch(() => [])) total += await bytesUnder(join(path, name))
  return total
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** The one summary line of a run. */
export const summaryLine = (s: SnapshotSummary): string =>
  `files: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged; ` +
  `${formatBytes(s.bytesRead)} read, ${formatBytes(s.bytesSent)} sent, ${seconds(s.durationMs)}`

export const backupCommand = async (ctx: Ctx): Promise<Output> => {
  const paths = ctx.args.positionals.slice(1)
  if (paths.length === 0) return cliError(ExitCode.usage, 'usage: zkeb backup PATH…')
  const excludes = [
    ...(ctx.args.lists.exclude ?? []),
    ...(await excludeFileLines(ctx.args.values['exclude-file'])),
  ]
  const dryRun = ctx.args.booleans.has('dry-run')
  const progress = createProgress(ctx.io.stderr, 'backup', !ctx.json)
  const total = ctx.io.stderr.isTTY === true && !ctx.json ? await Promise.all(paths.map(bytesUnder)) : []
  const totalBytes = total.reduce((a, b) => a + b, 0)
  let done = 0
  return withRepository(ctx, async (repo, session) => {
    const signer = signerOf(session)
    const result = await backup(repo, {
      paths,
      host: thisHost(),
      deviceId: signer.deviceId,
      sign: signer.sign,
      excludes,
      tags: ctx.args.lists.tag ?? [],
      dryRun,
      onFile: (bytes) => progress.update((done += bytes), Math.max(totalBytes, done)),
    }).finally(() => progress.done())
    const { snapshotId, metadata, warnings } = snap(result)
    for (const w of warnings) ctx.io.stderr.write(`zkeb: skipped ${w.path} (${w.code})\n`)
    const s = metadata.summary
    const head = dryRun ? `dry run, nothing stored` : `snapshot ${snapshotId.slice(0, 8)} saved`
    const parent = metadata.parent === null ? 'no parent' : `parent ${metadata.parent.slice(0, 8)}`
    return {
      json: { snapshotId, dryRun, parent: metadata.parent, paths: metadata.paths, summary: s, warnings },
      text: `${head} (${parent}); ${summaryLine(s)}\n`,
    }
  })
}

/**
 * Runs one client command as a child process under `/usr/bin/time -v`, so wall time, CPU time (user + system)
 * and peak RSS (max resident set) are the child's own, measured by the kernel, for restic and zkeb alike.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

export type TimedRun = Readonly<{
  seconds: number
  cpuSeconds: number
  peakRssMiB: number
  stdout: string
}>

const field = (report: string, name: string): number => {
  const m = new RegExp(`${name}[^:]*: ([0-9.:]+)`).exec(report)
  if (m === null) throw new Error(`/usr/bin/time -v printed no ${name}`)
  return Number(m[1])
}

/** `command args` with `env` (on top of PATH); throws with its stderr unless it exits 0. */
export const timedRun = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  reportFile: string,
): Promise<TimedRun> =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    execFile(
      '/usr/bin/time',
      ['-v', '-o', reportFile, command, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
        maxBuffer: 256 * 1024 * 1024,
        timeout: 3_600_000,
      },
      (error, stdout, stderr) => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9
        if (error !== null) {
          reject(new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${stderr.slice(-2000)}`))
          return
        }
        const report = readFileSync(reportFile, 'utf8')
        resolve({
          seconds,
          cpuSeconds: field(report, 'User time') + field(report, 'System time'),
          peakRssMiB: field(report, 'Maximum resident set size') / 1024,
          stdout,
        })
      },
    )
  })

/** Bytes of the regular files under `dir` (a restic repository, a blob folder). */
export const folderBytes = async (dir: string): Promise<number> => {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  return total
}

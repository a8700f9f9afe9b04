/**
 * The real restic client (Debian package `restic`) for end-to-end tests. In CI a missing binary fails the
 * run (.ci/run installs it); locally the suites skip with a note.
 */
import { execFile, spawnSync } from 'node:child_process'

export type ResticRun = Readonly<{ code: number; stdout: string; stderr: string }>

let found: boolean | undefined

/** true when `restic` runs; throws in CI when it does not. */
export const resticAvailable = (): boolean => {
  found ??= spawnSync('restic', ['version'], { stdio: 'ignore' }).status === 0
  if (!found && process.env['CI'])
    throw new Error('restic is not installed: CI needs it (apt-get install restic; .ci/run does this)')
  return found
}

/** Runs restic with `env` on top of a minimal environment (no user config, no cache outside `env`). */
export const restic = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  timeoutMs = 180_000,
): Promise<ResticRun> =>
  new Promise((resolve) => {
    execFile(
      'restic',
      [...args],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env['HOME'] ?? '/nonexistent', ...env },
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })

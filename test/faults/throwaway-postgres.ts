/**
 * A PostgreSQL server of the fault suite's own (initdb + pg_ctl, data under the system temp folder, a free
 * loopback port), so a test can stop it mid-load and start it again without touching the shared test server.
 * As root the server runs as the `postgres` OS user (PostgreSQL refuses to run as root). Without the binaries the fault
 * suites skip locally and fail under CI.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../support/redis'

const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

export type ThrowawayPostgres = Readonly<{
  /** The superuser's URL (trust authentication, loopback only). */
  url: string
  /** `pg_ctl stop -m immediate`: every connection is cut at once, as when the server dies. */
  stop: () => void
  start: () => void
  /** Stops the server and removes its data. */
  destroy: () => void
}>

export const postgresBinariesAvailable = (): boolean => existsSync(join(bin, 'pg_ctl'))

/** For a suite's `before`: skips locally without the binaries, fails under CI. */
export const requirePostgresBinaries = (context: Mocha.Context): void => {
  if (postgresBinariesAvailable()) return
  if (process.env.CI)
    throw new Error(`${bin}/pg_ctl not found: the fault suites cannot run (CI never skips them)`)
  context.skip()
}

const asPostgres = (command: string, args: ReadonlyArray<string>): void => {
  const asRoot = process.getuid?.() === 0
  execFileSync(
    asRoot ? 'runuser' : join(bin, command),
    asRoot ? ['-u', 'postgres', '--', join(bin, command), ...args] : [...args],
    {
      stdio: 'ignore',
    },
  )
}

export type ThrowawayOptions = Readonly<{
  /** More `-c name=value` server settings (e.g. ssl=on and its files). */
  settings?: ReadonlyArray<string>
  /** Replaces pg_hba.conf (default: initdb's, trust on loopback). */
  hba?: string
}>

export const startThrowawayPostgres = async (options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> => {
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-fault-pg-'))
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir])
  asPostgres('initdb', ['-D', dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'])
  if (options.hba !== undefined) writeFileSync(join(dir, 'pg_hba.conf'), options.hba)
  const port = await freePort()
  const serverOptions = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories='' -c fsync=off ${(options.settings ?? []).map((c) => `-c ${c}`).join(' ')}`
  const start = (): void =>
    asPostgres('pg_ctl', ['-D', dir, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', serverOptions, 'start'])
  const stop = (): void => asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop'])
  const destroy = (): void => {
    process.off('exit', destroy)
    try {
      stop()
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', destroy)
  start()
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop, start, destroy }
}

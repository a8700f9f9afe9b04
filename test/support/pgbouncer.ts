/**
 * A throwaway PgBouncer (Debian's `pgbouncer`) in transaction mode in front of one database of
 * TEST_DATABASE_URL's server: its own port, config and logs in a temp dir, stopped with the test. Without the
 * binary the suite skips locally and fails under CI, like the Redis and nginx suites.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from './redis'

const candidates = [process.env['PGBOUNCER_BIN'], 'pgbouncer', '/usr/sbin/pgbouncer'].filter(
  (c): c is string => c !== undefined && c !== '',
)

/** The pgbouncer binary that runs, or undefined. */
export const pgbouncerBinary = (): string | undefined =>
  candidates.find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0)

/** For a suite's `before`: skips locally without pgbouncer, fails under CI (where it is installed). */
export const requirePgbouncer = (context: Mocha.Context): string => {
  const binary = pgbouncerBinary()
  if (binary !== undefined) return binary
  if (process.env['CI'])
    throw new Error('pgbouncer not found: the PgBouncer test cannot run (CI never skips it)')
  context.skip()
}

export type PgBouncer = Readonly<{
  port: number
  /** postgres:// URL of `database` through PgBouncer, as `user` (trusted by PgBouncer on loopback). */
  urlFor: (user: string, password: string) => string
  process: ChildProcess
  /** What PgBouncer logged so far. */
  output: () => string
  stop: () => Promise<void>
}>

export type PgBouncerTarget = Readonly<{
  /** Where PostgreSQL listens and the database to pool, from a postgres:// URL. */
  serverUrl: string
  /** The login role the pool uses towards PostgreSQL, and its password. */
  user: string
  password: string
  /** Server connections per database and user: small, so clients share them. */
  poolSize: number
}>

const untilListening = async (port: number, child: ChildProcess, output: () => string): Promise<void> => {
  const deadline = Date.now() + 10_000
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`pgbouncer did not start:\n${output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Starts PgBouncer in transaction mode, pooling `target`'s database for `target.user` only. */
export const startPgBouncer = async (binary: string, target: PgBouncerTarget): Promise<PgBouncer> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'zkeb-pgbouncer-'))
  const port = await freePort()
  const server = new URL(target.serverUrl)
  const database = server.pathname.slice(1)
  const config = `[databases]
${database} = host=${server.hostname} port=${server.port || '5432'} dbname=${database} password=${target.password}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${path.join(dir, 'users.txt')}
pool_mode = transaction
default_pool_size = ${target.poolSize}
max_client_conn = 200
; pg sends it at connect; PgBouncer cannot keep a per-client setting in transaction mode
ignore_startup_parameters = statement_timeout
`
  await writeFile(path.join(dir, 'pgbouncer.ini'), config)
  await writeFile(path.join(dir, 'users.txt'), `"${target.user}" ""\n`)
  // PgBouncer refuses to run as root: it then runs as nobody, who must read the config.
  const asRoot = process.getuid?.() === 0
  if (asRoot) await chmod(dir, 0o755)
  const args = [...(asRoot ? ['-u', 'nobody'] : []), path.join(dir, 'pgbouncer.ini')]
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const output = () => text
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await untilListening(port, child, output)
  } catch (e) {
    await stop()
    throw e
  }
  const urlFor = (user: string, password: string) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
  return { port, urlFor, process: child, output, stop }
}

/**
 * The bench's own throwaway PostgreSQL and Redis: fresh data folders under the system temp folder, free
 * loopback ports, removed on stop. PostgreSQL runs with fsync ON (the durability production has, and what the
 * database ceilings in bench/RESULTS.md are measured with); initdb alone skips fsync, it only builds the
 * empty cluster.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runProcess, waitFor, type Running } from '../ops/drill/processes'

/** The programs the bench runs, and the Debian package of each: checked first, so a fresh machine gets one clear line. */
const tools: ReadonlyArray<readonly [string, string]> = [
  ['pgbench', 'postgresql'],
  ['psql', 'postgresql-client'],
  ['redis-server', 'redis-server'],
  ['sha256sum', 'coreutils'],
]

export const requireTools = (): void => {
  const missing = tools.filter(([tool]) => spawnSync(tool, ['--version']).status !== 0)
  if (missing.length > 0)
    throw new Error(`missing: ${missing.map(([tool, pkg]) => `${tool} (Debian package ${pkg})`).join(', ')}`)
  postgresBin()
}

export type Postgres = Readonly<{
  url: string
  port: number
  dir: string
  logFile: string
  bin: string
  /** Runs SQL as the superuser; returns psql's unaligned output. */
  psql: (sql: string, database?: string) => string
  stop: () => void
}>

const postgresBin = (): string => {
  const root = '/usr/lib/postgresql'
  const versions = readdirSync(root)
    .filter((v) => statSync(join(root, v, 'bin', 'initdb'), { throwIfNoEntry: false }) !== undefined)
    .sort((a, b) => Number(a) - Number(b))
  const newest = versions.at(-1)
  if (newest === undefined) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql')
  return join(root, newest, 'bin')
}

/** Runs as the postgres OS user when we are root (initdb refuses root). */
const asPostgres = (command: string, args: ReadonlyArray<string>): string =>
  process.getuid?.() === 0
    ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
    : execFileSync(command, [...args], { encoding: 'utf8' })

export const startPostgres = async (): Promise<Postgres> => {
  const bin = postgresBin()
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-bench-pg-'))
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0)
  const port = await freePort()
  const logFile = join(dir, 'server.log')
  asPostgres(join(bin, 'initdb'), ['-D', dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'])
  const settings = [
    'listen_addresses=127.0.0.1',
    `port=${port}`,
    "unix_socket_directories=''",
    'fsync=on',
    'max_connections=200',
    'shared_buffers=256MB',
    "log_line_prefix='%m [%p] %u@%d '",
  ]
  asPostgres(join(bin, 'pg_ctl'), [
    ...['-D', dir, '-l', logFile, '-w', '-t', '60', '-o', settings.map((s) => `-c ${s}`).join(' '), 'start'],
  ])
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const psql = (sql: string, database = 'postgres'): string =>
    execFileSync(
      'psql',
      [`postgres://postgres@127.0.0.1:${port}/${database}`, '-AtqX', '-v', 'ON_ERROR_STOP=1'],
      {
        input: sql,
        encoding: 'utf8',
      },
    )
  const stop = () => {
    spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', dir, '-m', 'fast', 'stop'])
    rmSync(dir, { recursive: true, force: true })
  }
  return { url, port, dir, logFile, bin, psql, stop }
}

export type RedisService = Readonly<{ url: string; stop: () => void }>

export const startRedis = async (): Promise<RedisService> => {
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-bench-redis-'))
  const port = await freePort()
  const redis: Running = runProcess('redis', port, 'redis-server', [
    ...['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
  ])
  await waitFor(`redis on ${port}`, 10_000, () => Promise.resolve(/Ready to accept/.test(redis.output())))
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => {
      redis.child.kill('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

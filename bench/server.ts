/**
 * Starts ZKEB as production runs it (NODE_ENV=production, STORE=redis, an external PostgreSQL), one process per
 * instance, and knows its pid so the bench can read its CPU time and resident memory from /proc.
 * Rate limits are raised through RATE_LIMIT_*_PER_MINUTE: every bench request comes from 127.0.0.1 and a few
 * accounts, which the production limits (10 logins a minute, 1200 calls a minute per account) would refuse.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOpaqueServerSetup } from '../adapters/crypto/serenity-opaque-server'
import { freePort, runProcess, untilHealthy, type Running } from '../ops/drill/processes'

export type ServerSecrets = Readonly<{ opaqueServerSetup: string; tokenSecret: string }>

export const newSecrets = async (): Promise<ServerSecrets> => ({
  opaqueServerSetup: await createOpaqueServerSetup(),
  tokenSecret: randomBytes(32).toString('base64url'),
})

export type ServerInstance = Readonly<{
  base: string
  port: number
  pid: number
  /** Milliseconds from spawn to the first /api/health 200. */
  readyMs: number
  running: Running
  stop: () => Promise<void>
}>

export type ServerOptions = Readonly<{
  databaseUrl: string
  redisUrl: string
  secrets: ServerSecrets
  poolMax?: number
  migrateOnStart?: boolean
  name?: string
  /** Overrides BENCH_SERVER for this instance (the cold-start section measures both). */
  entry?: 'tsx' | 'dist'
}>

const unlimited = '1000000'

/**
 * BENCH_SERVER=dist runs the compiled server (`npm run build` first), as the image does; the default is what
 * `npm start` runs (TypeScript through tsx, which compiles each module when it first loads: slower to start).
 */
export const serverEntry = process.env.BENCH_SERVER === 'dist' ? 'dist' : 'tsx'

let built = false
/** `npm run build` once per bench run, so a dist/ instance runs the code of this checkout, not a stale build. */
export const buildOnce = (): void => {
  if (!built) execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  built = true
}

export const serverEnv = (o: ServerOptions, port: number, dataDir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  DATA_DIR: dataDir,
  DATABASE_URL: o.databaseUrl,
  DATABASE_POOL_MAX: String(o.poolMax ?? 10),
  STORE: 'redis',
  REDIS_URL: o.redisUrl,
  OPAQUE_SERVER_SETUP: o.secrets.opaqueServerSetup,
  TOKEN_SECRET: o.secrets.tokenSecret,
  MIGRATE_ON_START: String(o.migrateOnStart ?? true),
  LOG_LEVEL: 'warn',
  QUOTA_BYTES: String(2 ** 40), // the uploads scenarios store gigabytes in one account
  WEB_APP_DIR: join(dataDir, 'no-web-app'),
  RATE_LIMIT_LOGIN_PER_MINUTE: unlimited,
  RATE_LIMIT_REGISTRATION_PER_MINUTE: unlimited,
  RATE_LIMIT_ACCOUNT_PER_MINUTE: unlimited,
  // Unset: the server's default (one OPAQUE thread per CPU); OPAQUE_WORKERS=0 measures logins on the event loop.
  ...(process.env.OPAQUE_WORKERS === undefined ? {} : { OPAQUE_WORKERS: process.env.OPAQUE_WORKERS }),
})

/** `node --import tsx adapters/composition/main.ts` (what `npm start` runs), until /api/health answers 200. */
export const startServer = async (o: ServerOptions): Promise<ServerInstance> => {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'zkeb-bench-data-'))
  const started = performance.now()
  const running = runProcess(
    o.name ?? 'zkeb',
    port,
    process.execPath,
    [
      // BENCH_CPU_PROF=<folder>: a V8 CPU profile per server process, written when it stops (open in Chrome
      // DevTools or speedscope as a flame graph).
      ...(process.env.BENCH_CPU_PROF === undefined
        ? []
        : ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]),
      ...((o.entry ?? serverEntry) === 'dist'
        ? ['dist/adapters/composition/main.js']
        : ['--import', 'tsx', 'adapters/composition/main.ts']),
    ],
    serverEnv(o, port, dataDir),
  )
  await untilHealthy(running, 120_000)
  const readyMs = performance.now() - started
  const pid = running.child.pid
  if (pid === undefined) throw new Error('the server process has no pid')
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    pid,
    readyMs,
    running,
    stop: async () => {
      if (running.child.exitCode === null) {
        running.child.kill('SIGTERM')
        await running.exited
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

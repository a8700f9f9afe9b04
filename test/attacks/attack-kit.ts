/**
 * The target of the attack suites: the real HTTP app over the composition root's runtime (knex adapters on a
 * fresh PostgreSQL database, the application connected as `zkeb_app`), listening on a loopback port.
 * The token secret is known to the test, so forged tokens can be signed with it.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { loadConfig } from '../../adapters/composition/config'
import { startRuntime, type Runtime } from '../../adapters/composition/runtime'
import { createHttpApp, defaultHttpLimits } from '../../adapters/http/create-http-app'
import type { RateLimitRules } from '../../adapters/http/middleware/rate-limit'
import { startHttpServer, type ServerTimeouts } from '../../adapters/http/start-http-server'
import { type CallOptions, looseRateLimits } from '../adapters/http/http-test-kit'
import { testOpaqueServerSetup } from '../support/in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from '../support/postgres'

export type Target = Readonly<{
  base: string
  port: number
  call: (method: string, path: string, options?: CallOptions) => Promise<Response>
  db: TestDatabase
  runtime: Runtime
  /** TOKEN_SECRET, as the HMAC key the server uses. */
  tokenSecret: string
  close: () => Promise<void>
}>

export type TargetOptions = Readonly<{
  rateLimits?: RateLimitRules
  timeouts?: ServerTimeouts
  /** Extra environment for loadConfig (DATABASE_POOL_MAX, STORE…). */
  env?: Record<string, string>
  /** The database to serve from (default: a fresh one on the test server); closing the target drops it. */
  database?: () => Promise<TestDatabase>
}>

/** Builds a fetch-based caller for `base`. */
export const callerFor =
  (base: string) =>
  (method: string, path: string, o: CallOptions = {}): Promise<Response> =>
    fetch(base + path, {
      method,
      headers: {
        ...(o.json === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(o.token === undefined ? {} : { Authorization: `Bearer ${o.token}` }),
        ...o.headers,
      },
      ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
      ...(o.body === undefined ? {} : { body: o.body, duplex: 'half' }),
    })

export const startTarget = async (options: TargetOptions = {}): Promise<Target> => {
  const db = await (options.database ?? createTestDatabase)()
  const dataDir = await mkdtemp(join(tmpdir(), 'zkeb-attack-'))
  const tokenSecret = randomBytes(32).toString('base64url')
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: db.ownerUrl,
    DATABASE_APP_URL: db.appUrl,
    TOKEN_SECRET: tokenSecret,
    OPAQUE_SERVER_SETUP: await testOpaqueServerSetup(),
    ...options.env,
  })
  const runtime = await startRuntime(config, pino({ level: 'silent' }))
  const app = createHttpApp({
    useCases: runtime.useCases,
    rateLimiter: runtime.rateLimiter,
    rateLimits: options.rateLimits ?? looseRateLimits,
    limits: defaultHttpLimits,
    version: 'attack-1',
    trustProxy: false,
  })
  const running = await startHttpServer(app, {
    port: 0,
    host: '127.0.0.1',
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  })
  const base = `http://127.0.0.1:${running.port}`
  const close = async () => {
    await running.close(1000)
    await runtime.close()
    await db.drop()
    await rm(dataDir, { recursive: true, force: true })
  }
  return { base, port: running.port, call: callerFor(base), db, runtime, tokenSecret, close }
}

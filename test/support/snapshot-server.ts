/**
 * The composition root's wiring over a fresh real PostgreSQL (blobs in it too), served by the real Koa app on a
 * free port, with a controllable clock and every log line kept: what the snapshot HTTP tests talk to. Like
 * real-zkeb-server.ts, plus the clock, the log, the ports and the use cases (the collector runs in-process).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../adapters/composition/config'
import { buildContainer, resolveWired, type Wired } from '../../adapters/composition/container'
import { serenityOpaqueServer } from '../../adapters/crypto/serenity-opaque-server'
import { createHttpApp, defaultHttpLimits } from '../../adapters/http/create-http-app'
import type { HttpLogger } from '../../adapters/http/http-types'
import { startHttpServer } from '../../adapters/http/start-http-server'
import { looseRateLimits } from '../adapters/http/http-test-kit'
import { type ControllableClock, controllableClock } from './controllable-clock'
import { testOpaqueServerSetup } from './in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from './postgres'

export type SnapshotServer = Readonly<{
  base: string
  db: TestDatabase
  clock: ControllableClock
  wired: Wired
  /** Every line logged so far: message and fields, as JSON. */
  logLines: () => ReadonlyArray<string>
  close: () => Promise<void>
}>

const keepingLogger = (lines: string[]): HttpLogger => {
  const keep = (fields: Record<string, unknown>, message: string) =>
    void lines.push(
      JSON.stringify({ message, ...fields }, (_, v: unknown) => (v instanceof Error ? String(v) : v)),
    )
  return { info: keep, warn: keep, error: keep }
}

export const startSnapshotServer = async (): Promise<SnapshotServer> => {
  const db = await createTestDatabase()
  const dataDir = mkdtempSync(join(tmpdir(), 'zkeb-snapshots-'))
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.ownerUrl, DATA_DIR: dataDir })
  const clock = controllableClock(new Date())
  const wired = resolveWired(
    buildContainer(
      config,
      {
        persistence: { kind: 'postgres', appKnex: db.appKnex, blobs: { kind: 'postgres' } },
        opaque: await serenityOpaqueServer(await testOpaqueServerSetup()),
        tokenSecret: randomBytes(32).toString('base64url'),
        store: { kind: 'memory' },
      },
      { clock },
    ),
  )
  const lines: string[] = []
  const app = createHttpApp({
    useCases: wired.useCases,
    rateLimiter: wired.rateLimiter,
    rateLimits: looseRateLimits,
    limits: defaultHttpLimits,
    version: 'test-snapshots',
    trustProxy: false,
    logger: keepingLogger(lines),
  })
  const running = await startHttpServer(app, { port: 0, host: '127.0.0.1' })
  return {
    base: `http://127.0.0.1:${running.port}`,
    db,
    clock,
    wired,
    logLines: () => [...lines],
    close: async () => {
      await running.close(1000)
      await db.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

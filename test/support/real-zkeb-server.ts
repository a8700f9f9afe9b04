/**
 * The composition root's wiring over a fresh real PostgreSQL database (test/support/postgres.ts), served by
 * the real Koa app on a free port: what end-to-end tests with outside clients (restic) talk to.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../adapters/composition/config'
import { buildContainer, resolveWired } from '../../adapters/composition/container'
import { serenityOpaqueServer } from '../../adapters/crypto/serenity-opaque-server'
import { createHttpApp, defaultHttpLimits } from '../../adapters/http/create-http-app'
import type { RateLimitRules } from '../../adapters/http/middleware/rate-limit'
import { startHttpServer } from '../../adapters/http/start-http-server'
import { looseRateLimits } from '../adapters/http/http-test-kit'
import { testOpaqueServerSetup } from './in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from './postgres'

export type RealZkebServer = Readonly<{ base: string; db: TestDatabase; close: () => Promise<void> }>

/** `rateLimits`: the rules the server enforces (default: loose enough for any test's calls from one IP). */
export const startRealZkebServer = async (
  env: Record<string, string> = {},
  rateLimits: RateLimitRules = looseRateLimits,
): Promise<RealZkebServer> => {
  const db = await createTestDatabase()
  const dataDir = mkdtempSync(join(tmpdir(), 'zkeb-real-'))
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.ownerUrl, DATA_DIR: dataDir, ...env })
  const opaque = await serenityOpaqueServer(await testOpaqueServerSetup())
  const tokenSecret = randomBytes(32).toString('base64url')
  const wired = resolveWired(
    buildContainer(config, {
      persistence: { kind: 'postgres', appKnex: db.appKnex, blobs: { kind: 'postgres' } },
      opaque,
      tokenSecret,
      store: { kind: 'memory' },
    }),
  )
  const app = createHttpApp({
    useCases: wired.useCases,
    rateLimiter: wired.rateLimiter,
    rateLimits,
    limits: {
      ...defaultHttpLimits,
      maxUploadBytes: config.maxUploadBytes,
      uploadExpirySeconds: config.uploadExpirySeconds,
    },
    version: 'test-restic',
    trustProxy: false,
  })
  const running = await startHttpServer(app, { port: 0, host: '127.0.0.1' })
  return {
    base: `http://127.0.0.1:${running.port}`,
    db,
    close: async () => {
      await running.close(1000)
      await db.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

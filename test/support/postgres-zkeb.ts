/**
 * The whole application over a fresh real PostgreSQL database, wired by the composition root like
 * in-memory-zkeb.ts: so one use-case suite runs against the in-memory twin and PostgreSQL alike.
 */
import { randomBytes } from 'node:crypto'
import { loadConfig } from '../../adapters/composition/config'
import { buildContainer, resolveWired } from '../../adapters/composition/container'
import { serenityOpaqueServer } from '../../adapters/crypto/serenity-opaque-server'
import type { Ports } from '../../application/ports'
import { controllableClock } from './controllable-clock'
import { type InMemoryZkeb, testOpaqueServerSetup } from './in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from './postgres'

export type PostgresZkeb = InMemoryZkeb & Readonly<{ db: TestDatabase }>

export const postgresZkeb = async (overrides: Partial<Ports> = {}): Promise<PostgresZkeb> => {
  const db = await createTestDatabase()
  const clock = controllableClock()
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.ownerUrl })
  const opaque = await serenityOpaqueServer(await testOpaqueServerSetup())
  const infra = {
    persistence: { kind: 'postgres', appKnex: db.appKnex, blobs: { kind: 'postgres' } },
    store: { kind: 'memory' },
    opaque,
    tokenSecret: randomBytes(32).toString('base64url'),
  } as const
  const { useCases, admin, ports } = resolveWired(buildContainer(config, infra, { clock, ...overrides }))
  return { useCases, admin, ports, clock, db }
}

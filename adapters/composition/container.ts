/**
 * The composition root's wiring: one inversify container per ZKEB instance, adapters chosen from the decoded
 * Config and what the runtime opened. The app (main.ts, createZkeb), the test suites' in-memory application
 * and the bench all build it here. The only place (with the bind-* files and tokens.ts) that knows inversify.
 */
import { Container } from 'inversify'
import type { Knex } from 'knex'
import type { AdminUseCases } from '../../application/admin'
import type { Ports } from '../../application/ports'
import type { RateLimiter } from '../../application/ports/rate-limiter'
import { defaultSettings, type Settings } from '../../application/settings'
import type { UseCases } from '../../application/zkeb'
import type { GaugeSources } from '../observability/samplers'
import { ADMIN_TOKENS, bindAdmin } from './bind-admin'
import { bindCrypto, type CryptoMaterial } from './bind-crypto'
import { bindMemoryPersistence } from './bind-memory-persistence'
import { bindPostgresPersistence } from './bind-persistence'
import { bindStores, type StoreChoice } from './bind-stores'
import { bindUseCases } from './bind-use-cases'
import type { BlobStoreChoice } from './blob-storage'
import type { Config } from './config'
import { id, PORT_TOKENS, type Token, TOKENS } from './tokens'

/** Where the durable data lives (PERSISTENCE): for `postgres`, the open application pool and blob store. */
export type PersistenceChoice =
  Readonly<{ kind: 'memory' }> | Readonly<{ kind: 'postgres'; appKnex: Knex; blobs: BlobStoreChoice }>

/** What must exist before wiring: open pools and loaded secrets (their lifetimes belong to the caller). */
export type Infrastructure = CryptoMaterial & Readonly<{ persistence: PersistenceChoice; store: StoreChoice }>

/** The application's limits from configuration; lifetimes not configurable here keep api-v1's defaults. */
export const settingsFrom = (config: Config): Settings => ({
  ...defaultSettings,
  defaultQuotaBytes: config.quotaBytes,
  maxUploadBytes: config.maxUploadBytes,
  trashRetentionDays: config.trashRetentionDays,
  blobGarbageGraceSeconds: config.blobGcGraceSeconds,
  snapshotGarbageGraceSeconds: config.snapshotGcGraceSeconds,
  uploadExpirySeconds: config.uploadExpirySeconds,
  keyRotationTtlSeconds: config.keyRotationTtlSeconds,
})

const bindPersistence = (c: Container, persistence: PersistenceChoice, store: StoreChoice): void => {
  switch (persistence.kind) {
    case 'memory':
      return bindMemoryPersistence(c)
    case 'postgres':
      return bindPostgresPersistence(c, persistence.appKnex, persistence.blobs, store.kind === 'redis')
  }
}

/** Binds each given port in place of the chosen adapter: everything that depends on it then gets it too. */
const replacePorts = (c: Container, replacements: Partial<Ports>): void => {
  const replace = <K extends keyof Ports>(port: K, value: Ports[K] | undefined): void => {
    if (value !== undefined) c.rebind(id(PORT_TOKENS[port] as Token<Ports[K]>)).toConstantValue(value)
  }
  for (const port of Object.keys(replacements) as Array<keyof Ports>) replace(port, replacements[port])
}

/**
 * `replacements` swap single ports (a controllable clock, a tampering blob store) for tests and tools; the
 * server passes none.
 */
export const buildContainer = (
  config: Config,
  infra: Infrastructure,
  replacements: Partial<Ports> = {},
): Container => {
  const c = new Container({ defaultScope: 'Singleton' })
  c.bind(id(TOKENS.Config)).toConstantValue(config)
  c.bind(id(TOKENS.Settings)).toConstantValue(settingsFrom(config))
  bindCrypto(c, config, infra)
  bindPersistence(c, infra.persistence, infra.store)
  bindStores(c, infra.store)
  bindUseCases(c)
  bindAdmin(c)
  replacePorts(c, replacements)
  return c
}

/** What the driving adapters need from a built container, and the ports behind it (for tests and tools). */
export type Wired = Readonly<{
  useCases: UseCases
  admin: AdminUseCases
  rateLimiter: RateLimiter
  ports: Ports
  gauges: GaugeSources
}>

export const resolveWired = (c: Container): Wired => ({
  useCases: c.get(id(TOKENS.UseCases)),
  admin: c.get(id(ADMIN_TOKENS.AdminUseCases)),
  rateLimiter: c.get(id(TOKENS.RateLimiter)),
  ports: c.get(id(TOKENS.Ports)),
  gauges: c.get(id(TOKENS.Gauges)),
})

/**
 * The composition root's wiring: one inversify container per ZKEB instance, adapters chosen from the decoded
 * Config. The only place (with the bind-* files and tokens.ts) that knows inversify.
 */
import { Container } from 'inversify'
import type { Knex } from 'knex'
import { defaultSettings, type Settings } from '../../application/settings'
import type { UseCases } from '../../application/zkeb'
import type { RateLimiter } from '../../application/ports/rate-limiter'
import type { AdminUseCases } from '../../application/admin'
import { ADMIN_TOKENS, bindAdmin } from './bind-admin'
import { bindCrypto, type CryptoMaterial } from './bind-crypto'
import type { BlobStoreChoice } from './blob-storage'
import { bindPersistence } from './bind-persistence'
import { bindStores, type StoreChoice } from './bind-stores'
import { bindUseCases } from './bind-use-cases'
import type { Config } from './config'
import { id, TOKENS } from './tokens'

/** What must exist before wiring: open pools and loaded secrets (their lifetimes belong to the caller). */
export type Infrastructure = CryptoMaterial &
  Readonly<{ appKnex: Knex; store: StoreChoice; blobs?: BlobStoreChoice }>

/** The application's limits from configuration; lifetimes not configurable here keep api-v1's defaults. */
export const settingsFrom = (config: Config): Settings => ({
  ...defaultSettings,
  defaultQuotaBytes: config.quotaBytes,
  maxUploadBytes: config.maxUploadBytes,
  trashRetentionDays: config.trashRetentionDays,
  blobGarbageGraceSeconds: config.blobGcGraceSeconds,
  uploadExpirySeconds: config.uploadExpirySeconds,
})

export const buildContainer = (config: Config, infra: Infrastructure): Container => {
  const c = new Container({ defaultScope: 'Singleton' })
  c.bind(id(TOKENS.Config)).toConstantValue(config)
  c.bind(id(TOKENS.Settings)).toConstantValue(settingsFrom(config))
  bindCrypto(c, config, infra)
  bindPersistence(c, infra.appKnex, infra.blobs)
  bindStores(c, infra.store)
  bindUseCases(c)
  bindAdmin(c)
  return c
}

/** What the driving adapters need from a built container. */
export type Wired = Readonly<{ useCases: UseCases; admin: AdminUseCases; rateLimiter: RateLimiter }>

export const resolveWired = (c: Container): Wired => ({
  useCases: c.get(id(TOKENS.UseCases)),
  admin: c.get(id(ADMIN_TOKENS.AdminUseCases)),
  rateLimiter: c.get(id(TOKENS.RateLimiter)),
})

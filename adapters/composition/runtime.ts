/**
 * Knows how to bring a ZKEB instance up and down, without HTTP: secrets, the database (embedded or external),
 * migrations as the owner, the application role's pool, then the container; with PERSISTENCE=memory, only
 * the secrets and the container. Shared by main.ts and createZkeb.
 * SECURITY: secrets are loaded here and handed to adapters; only locations (host:port/db) are logged.
 */
import type { Knex } from 'knex'
import { availableParallelism } from 'node:os'
import type { Logger } from 'pino'
import type { OpaqueServer } from '../../application/ports/opaque-server'
import { pooledOpaqueServer } from '../crypto/pooled-opaque-server'
import { createOpaqueServerSetup, serenityOpaqueServer } from '../crypto/serenity-opaque-server'
import { createKnex } from '../persistence/knex/create-knex'
import { migrateLatest, migrationStatus } from '../persistence/knex/migrator'
import type { Config } from './config'
import { buildContainer, type PersistenceChoice, resolveWired, type Wired } from './container'
import { loadOrCreateSecret, randomSecret } from './data-dir'
import type { StoreChoice } from './bind-stores'
import { openBlobStore, type OpenBlobStore } from './blob-storage'
import { openStore, type OpenStore } from './cache'
import { openDatabase } from './database'
import { checkAppRole } from './app-role-check'
import { instrumentRedis } from '../cache/redis/instrument-redis'
import { deriveLogHashKey } from '../observability/account-hash'
import { type Metrics, noMetrics } from '../../application/ports/metrics'
import { measureQueries } from '../persistence/knex/instrument-knex'

export type Runtime = Wired &
  Readonly<{
    /** Where the data lives, for logs (never credentials). */
    database: string
    /** Migrations this start applied (empty when the schema was current). */
    migrationsApplied: ReadonlyArray<string>
    /** Migrations this code knows that the database lacks (a short-lived owner connection per call). */
    pendingMigrations: () => Promise<number>
    /** Closes the pools and OPAQUE threads, then stops the embedded PostgreSQL if this process runs it. Idempotent. */
    close: () => Promise<void>
    /** Names accounts in logs by keyed hash: LOG_HASH_KEY, else derived from the token secret. */
    logHashKey: string | Uint8Array
  }>

type Secrets = Readonly<{ opaqueServerSetup: string; tokenSecret: string }>

/** Configured secrets, or (outside production, where config requires them) ones generated once in DATA_DIR. */
export const resolveSecrets = async (config: Config): Promise<Secrets> => ({
  opaqueServerSetup:
    config.opaqueServerSetup ??
    (await loadOrCreateSecret(config.dataDir, 'opaque-server-setup', createOpaqueServerSetup)),
  tokenSecret: config.tokenSecret ?? (await loadOrCreateSecret(config.dataDir, 'token-secret', randomSecret)),
})

/** Applies pending migrations over a short-lived owner pool. */
export const migrate = async (ownerUrl: string): Promise<ReadonlyArray<string>> => {
  const owner = createKnex({
    url: ownerUrl,
    poolMax: 1,
    applicationName: 'zkeb-migrator',
    statementTimeoutMs: 0,
  })
  try {
    return await migrateLatest(owner)
  } finally {
    await owner.destroy()
  }
}

type OpenOpaque = Readonly<{ server: OpaqueServer; close: () => Promise<void> }>

/** OPAQUE_WORKERS threads (default one per CPU) compute the OPAQUE steps; 0 computes them on the event loop. */
const openOpaque = async (config: Config, secrets: Secrets): Promise<OpenOpaque> => {
  const size = config.opaqueWorkers ?? availableParallelism()
  return size === 0
    ? { server: await serenityOpaqueServer(secrets.opaqueServerSetup), close: async () => {} }
    : pooledOpaqueServer(secrets.opaqueServerSetup, size)
}

const wire = (
  config: Config,
  secrets: Secrets,
  persistence: PersistenceChoice,
  store: StoreChoice,
  opaque: OpaqueServer,
): Wired =>
  resolveWired(buildContainer(config, { persistence, store, opaque, tokenSecret: secrets.tokenSecret }))

const logHashKeyOf = (config: Config, secrets: Secrets): string | Uint8Array =>
  config.observability.logHashKey ?? deriveLogHashKey(secrets.tokenSecret)

/**
 * PERSISTENCE=memory: nothing to open but the OPAQUE threads, nothing written to DATA_DIR; secrets not
 * configured are generated for this run, as the accounts they protect last only as long.
 */
const startInMemory = async (config: Config, logger: Logger): Promise<Runtime> => {
  const secrets: Secrets = {
    opaqueServerSetup: config.opaqueServerSetup ?? (await createOpaqueServerSetup()),
    tokenSecret: config.tokenSecret ?? randomSecret(),
  }
  const opaque = await openOpaque(config, secrets)
  try {
    const store = await openStore(config, logger)
    const wired = wire(config, secrets, { kind: 'memory' }, store.choice, opaque.server)
    let closing: Promise<void> | undefined
    return {
      ...wired,
      database: 'process memory (PERSISTENCE=memory)',
      migrationsApplied: [],
      pendingMigrations: () => Promise.resolve(0),
      close: () =>
        (closing ??= wired.ports.background
          .settled()
          .then(() => Promise.allSettled([store.close(), opaque.close()]))
          .then(() => undefined)),
      logHashKey: logHashKeyOf(config, secrets),
    }
  } catch (e) {
    await opaque.close()
    throw e
  }
}

/** Counts migrations still to apply over a short-lived owner pool; reads only. */
export const pendingMigrations = async (ownerUrl: string): Promise<number> => {
  const owner = createKnex({ url: ownerUrl, poolMax: 1, applicationName: 'zkeb-migration-status' })
  try {
    return (await migrationStatus(owner)).pending
  } finally {
    await owner.destroy()
  }
}

/** Boots everything but HTTP. On failure, whatever was started is stopped again before rethrowing. */
export const startRuntime = (
  config: Config,
  logger: Logger,
  metrics: Metrics = noMetrics,
): Promise<Runtime> =>
  config.persistence === 'memory' ? startInMemory(config, logger) : startOnPostgres(config, logger, metrics)

const startOnPostgres = async (config: Config, logger: Logger, metrics: Metrics): Promise<Runtime> => {
  // Embedded first: a DATA_DIR the postgres user cannot reach is refused before anything is written there.
  const db = await openDatabase(
    config,
    async () => (await resolveSecrets(config)).tokenSecret,
    (line) => logger.debug({ component: 'postgres' }, line),
  )
  let appKnex: Knex | undefined
  let store: OpenStore | undefined
  let blobs: OpenBlobStore | undefined
  let opaqueStarting: Promise<OpenOpaque> | undefined
  try {
    const secrets = await resolveSecrets(config)
    // The OPAQUE threads take about half a second to load: they start while the migrations and stores do.
    opaqueStarting = openOpaque(config, secrets)
    opaqueStarting.catch(() => {}) // awaited below; a failure elsewhere first must not leave it unhandled
    const migrationsApplied = config.migrateOnStart ? await migrate(db.ownerUrl) : []
    store = await openStore(config, logger)
    appKnex = createKnex({
      url: db.appUrl,
      poolMax: config.databasePoolMax,
      applicationName: 'zkeb',
      onWarning: (message) => logger.warn({ component: 'knex' }, message),
    })
    await checkAppRole(appKnex)
    blobs = await openBlobStore(config, appKnex)
    measureQueries(appKnex, metrics)
    if (store.choice.kind === 'redis') instrumentRedis(store.choice.redis, metrics)
    const opaque = await opaqueStarting
    const persistence = { kind: 'postgres', appKnex, blobs: blobs.choice } as const
    const wired = wire(config, secrets, persistence, store.choice, opaque.server)
    const [pool, cache, blobStore, opaqueThreads] = [appKnex, store, blobs, opaque]
    let closing: Promise<void> | undefined
    // Background work (failed logins' events) writes over the pool and the cache: it finishes first.
    const close = () =>
      (closing ??= wired.ports.background
        .settled()
        .then(() =>
          Promise.allSettled([
            // The blob folder's registration is removed over the pool, so the pool closes after it.
            blobStore.close().finally(() => pool.destroy()),
            cache.close(),
            opaqueThreads.close(),
          ]),
        )
        .then(db.close))
    const pending = () => pendingMigrations(db.ownerUrl)
    return {
      ...wired,
      database: db.describe,
      migrationsApplied,
      pendingMigrations: pending,
      close,
      logHashKey: logHashKeyOf(config, secrets),
    }
  } catch (e) {
    const closeOpaque = opaqueStarting?.then((opaque) => opaque.close())
    const closePool =
      blobs === undefined ? appKnex?.destroy() : blobs.close().finally(() => appKnex?.destroy())
    await Promise.allSettled([closePool, store?.close(), closeOpaque])
    await db.close()
    throw e
  }
}

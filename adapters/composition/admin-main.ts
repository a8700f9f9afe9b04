/**
 * Wires zkeb-admin (adapters/admin-cli) to the rest: the server's configuration, the application in-process
 * (createZkeb) and the migrator over the owner's connection. adapters/admin-cli/bin.js runs `main`.
 */
import type { Logger } from 'pino'
import type { AdminUseCases } from '../../application/admin'
import type { AdminHost, MigrateAction, OpenAdminHost } from '../admin-cli/host'
import { runAdmin } from '../admin-cli/main'
import { AdminError, type AdminIo, ExitCode } from '../admin-cli/output'
import { createKnex } from '../persistence/knex/create-knex'
import { migrateDown, migrateLatest, migrationStatus } from '../persistence/knex/migrator'
import { blobsCommand } from './admin-blobs'
import { disasterRecoveryCommand } from './disaster-recovery'
import { createZkeb } from './index'
import { type Config, loadConfig } from './config'
import { describeUrl } from './database'
import { startEmbeddedPostgres } from './embedded-postgres'
import { StartupError } from './startup-error'

export type AdminDeps = Readonly<{ logger?: Logger }>

/** A problem the operator can fix becomes the CLI's "unavailable" exit, with the same one-line message. */
const forOperator = (e: unknown): unknown =>
  e instanceof StartupError ? new AdminError(ExitCode.unavailable, e.message) : e

const rethrowForOperator = (e: unknown): never => {
  throw forOperator(e)
}

/** The owner's connection: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (which must not be in use). */
const migrate = async (config: Config, action: MigrateAction) => {
  const embedded = config.databaseUrl === null ? await startEmbeddedPostgres(config.dataDir) : null
  const url = config.databaseUrl ?? embedded!.ownerUrl
  const knex = createKnex({ url, poolMax: 1, applicationName: 'zkeb-admin', statementTimeoutMs: 0 })
  try {
    const changed =
      action === 'up' ? await migrateLatest(knex) : action === 'down' ? await migrateDown(knex) : []
    return { where: describeUrl(url), changed, ...(await migrationStatus(knex)) }
  } finally {
    await knex.destroy()
    await embedded?.stop()
  }
}

const withApp = async <A>(config: Config, deps: AdminDeps, work: (admin: AdminUseCases) => Promise<A>) => {
  const zkeb = await createZkeb(config, deps.logger === undefined ? {} : { logger: deps.logger })
  try {
    return await work(zkeb.admin)
  } finally {
    await zkeb.close()
  }
}

const adminHost =
  (deps: AdminDeps): OpenAdminHost =>
  (env): AdminHost => {
    let config: Config
    try {
      config = loadConfig(env)
    } catch (e) {
      return rethrowForOperator(e)
    }
    return {
      withAdmin: (work) => withApp(config, deps, work).catch(rethrowForOperator),
      migrate: (action) => migrate(config, action).catch(rethrowForOperator),
      blobs: (action, flags, out) => blobsCommand(config, action, flags, out).catch(rethrowForOperator),
      disasterRecovery: (argv, io) => disasterRecoveryCommand(argv, io).catch(rethrowForOperator),
    }
  }

/** Runs one zkeb-admin command; returns the exit code. Never throws: every failure is one line on stderr. */
export const main = (argv: ReadonlyArray<string>, io: AdminIo, deps: AdminDeps = {}): Promise<number> =>
  runAdmin(argv, io, adminHost(deps))

/**
 * Wires zkeb-admin (adapters/admin-cli) to the rest: the server's configuration, the application in-process
 * (createZkeb) or a running server's admin socket (admin-socket.ts), and the migrator over the owner's
 * connection. adapters/admin-cli/bin.js runs `main`.
 */
import type { Logger } from 'pino'
import type { AdminUseCases } from '../../application/admin'
import type { AdminHost, MigrateAction, OpenAdminHost } from '../admin-cli/host'
import type { ServedAdmin } from '../admin-cli/socket-protocol'
import { runAdmin } from '../admin-cli/main'
import { AdminError, type AdminIo, ExitCode } from '../admin-cli/output'
import { createKnex } from '../persistence/knex/create-knex'
import { migrateDown, migrateLatest, migrationStatus } from '../persistence/knex/migrator'
import { isServed, servedAdminAt } from '../admin-cli/socket-client'
import { blobsCommand } from './admin-blobs'
import { adminSocketPath, servesAdminSocket } from './admin-socket'
import { disasterRecoveryCommand } from './disaster-recovery'
import { createZkeb } from './index'
import { type Config, loadConfig } from './config'
import { describeUrl } from './database'
import { startEmbeddedPostgres } from './embedded-postgres'
import { DataDirInUse } from './data-dir'
import { StartupError } from './startup-error'

export type AdminDeps = Readonly<{ logger?: Logger }>

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
])

/**
 * The code of a failure to reach or sign in to the database: a network error, or SQLSTATE class 08
 * (connection), 28 (authentication), 3D (no such database), 53 (no room: too many connections) or 57P
 * (shutting down, starting). Only the code is shown: the error's message may name the host and user.
 */
const unreachable = (e: unknown): string | null => {
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return null
  return networkCodes.has(code) || /^(08|28|3D|53|57P)/.test(code) ? code : null
}

/** A problem the operator can fix becomes the CLI's "unavailable" exit, with the same one-line message. */
const forOperator = (e: unknown): unknown =>
  unreachable(e) !== null
    ? new AdminError(ExitCode.unavailable, `the database is unavailable (${unreachable(e)})`)
    : e instanceof DataDirInUse
      ? new AdminError(
          ExitCode.unavailable,
          `${e.message} (only \`account\` and \`stats\` run beside it, through its admin socket)`,
        )
      : e instanceof StartupError
        ? new AdminError(ExitCode.unavailable, e.message)
        : e

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

/** Over the running server's admin socket when it serves one; otherwise the application in-process. */
const withServed = async <A>(
  config: Config,
  deps: AdminDeps,
  requestId: string,
  work: (admin: ServedAdmin) => Promise<A>,
): Promise<A> => {
  const socket = adminSocketPath(config)
  if (servesAdminSocket(config) && (await isServed(socket))) return work(servedAdminAt(socket, requestId))
  return withApp(config, deps, work).catch((e: unknown) => {
    if (!(e instanceof DataDirInUse)) throw e
    throw new AdminError(ExitCode.unavailable, `${e.message}; it serves no admin socket at ${socket}`)
  })
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
      withServed: (requestId, work) => withServed(config, deps, requestId, work).catch(rethrowForOperator),
      migrate: (action) => migrate(config, action).catch(rethrowForOperator),
      blobs: (action, flags, out) => blobsCommand(config, action, flags, out).catch(rethrowForOperator),
      disasterRecovery: (argv, io) => disasterRecoveryCommand(argv, io).catch(rethrowForOperator),
    }
  }

/** Runs one zkeb-admin command; returns the exit code. Never throws: every failure is one line on stderr. */
export const main = (argv: ReadonlyArray<string>, io: AdminIo, deps: AdminDeps = {}): Promise<number> =>
  runAdmin(argv, io, adminHost(deps))

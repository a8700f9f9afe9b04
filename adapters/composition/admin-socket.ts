/**
 * Where a server's admin socket lives and when it is served: DATA_DIR/admin.sock, by the server that runs the
 * embedded PostgreSQL (it holds DATA_DIR's lock, so the socket has one owner). Beside DATABASE_URL, instances
 * may share a DATA_DIR and zkeb-admin reaches the database itself; with PERSISTENCE=memory nothing is kept in
 * DATA_DIR. Neither serves it.
 */
import path from 'node:path'
import type { Logger } from 'pino'
import { type AdminSocketServer, serveAdminSocket } from '../admin-cli/socket-server'
import { accountHash } from '../observability/account-hash'
import type { Config } from './config'
import type { Runtime } from './runtime'

export const adminSocketPath = (config: Config): string =>
  path.join(path.resolve(config.dataDir), 'admin.sock')

export const servesAdminSocket = (config: Config): boolean =>
  config.databaseUrl === null && config.persistence === 'postgres'

/** Serves `admin` on the socket when this configuration calls for one; null otherwise (or when it cannot). */
export const startAdminSocket = async (
  config: Config,
  runtime: Pick<Runtime, 'admin' | 'logHashKey'>,
  logger: Logger,
  serves = servesAdminSocket(config),
): Promise<AdminSocketServer | null> => {
  if (!serves) return null
  const served = await serveAdminSocket(adminSocketPath(config), runtime.admin, {
    info: (fields, message) => logger.info({ component: 'admin-socket', ...fields }, message),
    warn: (fields, message) => logger.warn({ component: 'admin-socket', ...fields }, message),
    account: accountHash(runtime.logHashKey),
  })
  if (served !== null) logger.info({ component: 'admin-socket', path: served.path }, 'admin socket ready')
  return served
}

/**
 * Knows how a backup reaches the database as its owner while the server keeps running: DATABASE_URL, or the
 * embedded PostgreSQL of DATA_DIR, whether the server runs it (connect to the port and with the superuser
 * password it keeps in DATA_DIR) or nothing does (start it here, holding DATA_DIR's lock meanwhile).
 * SECURITY: the password is read from DATA_DIR/secrets and goes into the connection URL only.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../config'
import { DataDirInUse, readState } from '../data-dir'
import { describeUrl } from '../database'
import { embeddedDatabase, startEmbeddedPostgres } from '../embedded-postgres'
import { AdminError, ExitCode } from '../../admin-cli/output'

export type OwnerDatabase = Readonly<{
  url: string
  /** The embedded cluster's data folder, or null for DATABASE_URL. */
  pgData: string | null
  describe: string
  /** Stops the embedded server if this process started it. */
  close: () => Promise<void>
}>

const runningServerUrl = async (dataDir: string): Promise<string> => {
  const port = await readState(dataDir, 'postgres.port')
  const password = await readFile(path.join(dataDir, 'secrets', 'postgres-superuser-password'), 'utf8').catch(
    () => null,
  )
  if (port === null || password === null)
    throw new AdminError(
      ExitCode.unavailable,
      `DATA_DIR ${dataDir} is in use, but its PostgreSQL port or password is missing`,
    )
  return `postgres://postgres:${encodeURIComponent(password.trim())}@127.0.0.1:${port}/${embeddedDatabase}`
}

export const openOwnerDatabase = async (config: Config): Promise<OwnerDatabase> => {
  if (config.databaseUrl !== null) {
    const url = config.databaseUrl
    return { url, pgData: null, describe: describeUrl(url), close: () => Promise.resolve() }
  }
  const dataDir = path.resolve(config.dataDir)
  const pgData = path.join(dataDir, 'postgres')
  if (!existsSync(path.join(pgData, 'PG_VERSION')))
    throw new AdminError(
      ExitCode.notFound,
      `DATA_DIR ${dataDir} holds no embedded PostgreSQL: nothing to back up`,
    )
  try {
    const embedded = await startEmbeddedPostgres(dataDir)
    return {
      url: embedded.ownerUrl,
      pgData,
      describe: `embedded ${describeUrl(embedded.ownerUrl)}`,
      close: embedded.stop,
    }
  } catch (e) {
    if (!(e instanceof DataDirInUse)) throw e
    const url = await runningServerUrl(dataDir)
    return { url, pgData, describe: `embedded ${describeUrl(url)} (served)`, close: () => Promise.resolve() }
  }
}

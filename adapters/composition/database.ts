/**
 * Knows where the database is: the embedded PostgreSQL (DATABASE_URL unset) or the one DATABASE_URL names,
 * and which two connections ZKEB opens there: the owner's (migrations) and the application role's
 * (`zkeb_app`: not the owner, no BYPASSRLS, so row-level security applies to every query it runs).
 * SECURITY: passwords come from DATABASE_APP_URL, DATA_DIR/secrets (embedded) or are derived from
 * TOKEN_SECRET with HKDF; none is ever logged.
 */
import { hkdfSync } from 'node:crypto'
import pg from 'pg'
import type { Config } from './config'
import { loadOrCreateSecret, randomSecret } from './data-dir'
import { startEmbeddedPostgres, type EmbeddedLog } from './embedded-postgres'
import { StartupError } from './startup-error'

export const appRole = 'zkeb_app'

export type DatabaseLocation = Readonly<{
  /** Connection that owns the schema: migrations only. */
  ownerUrl: string
  /** Connection the application's pool uses. */
  appUrl: string
  /** 'embedded' when this process runs the server (and stops it in `close`). */
  kind: 'embedded' | 'external'
  /** Where it is, for logs: host and port, never credentials. */
  describe: string
  close: () => Promise<void>
}>

/** The same server and database as `url`, signed in as `user`. */
export const withCredentials = (url: string, user: string, password: string): string => {
  const parsed = new URL(url)
  parsed.username = encodeURIComponent(user)
  parsed.password = encodeURIComponent(password)
  return parsed.toString()
}

/** Host, port and database of a URL, for logs. */
export const describeUrl = (url: string): string => {
  const { hostname, port, pathname } = new URL(url)
  return `${hostname}:${port || '5432'}${pathname}`
}

/** Replicas sharing TOKEN_SECRET agree on the app role's password without another secret to distribute. */
const derivedAppPassword = (tokenSecret: string): string =>
  Buffer.from(hkdfSync('sha256', tokenSecret, Buffer.alloc(0), 'zkeb/v1/database-app-password', 32)).toString(
    'base64url',
  )

const duplicateObject = '42710'

/**
 * Creates (or updates the password of) the login role the application connects as. It owns nothing and
 * cannot bypass row-level security; the migrations grant it what it may touch.
 */
export const ensureAppRole = async (ownerUrl: string, password: string): Promise<void> => {
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  try {
    // Replicas start together and PostgreSQL refuses two concurrent ALTER ROLEs of one role ("tuple
    // concurrently updated"): one at a time, per database (released when this connection ends).
    await client.query("select pg_advisory_lock(hashtext('zkeb/app-role'))")
    const options = `login nosuperuser nocreatedb nocreaterole nobypassrls password ${client.escapeLiteral(password)}`
    const exists = await client.query('select 1 from pg_roles where rolname = $1', [appRole])
    if (exists.rowCount === 0)
      await client.query(`create role ${appRole} ${options}`).catch((e: { code?: string }) => {
        if (e.code !== duplicateObject) throw e // another instance created it at the same moment
      })
    await client.query(`alter role ${appRole} ${options}`)
    await client.query(
      `grant connect on database ${client.escapeIdentifier(client.database ?? 'postgres')} to ${appRole}`,
    )
  } catch (e) {
    throw new StartupError(
      `could not prepare the database role ${appRole} with the DATABASE_URL user (${(e as Error).message}); ` +
        'give that user CREATEROLE or set DATABASE_APP_URL',
    )
  } finally {
    await client.end()
  }
}

/**
 * Finds (or boots) the database and prepares the application role. `tokenSecret` gives the effective one
 * (configured or generated), used only to derive the app role's password when DATABASE_APP_URL is unset.
 */
export const openDatabase = async (
  config: Config,
  tokenSecret: () => Promise<string>,
  log: EmbeddedLog,
): Promise<DatabaseLocation> => {
  if (config.databaseUrl !== null) {
    const ownerUrl = config.databaseUrl
    if (config.databaseAppUrl !== null)
      return {
        ownerUrl,
        appUrl: config.databaseAppUrl,
        kind: 'external',
        describe: describeUrl(ownerUrl),
        close: () => Promise.resolve(),
      }
    const password = derivedAppPassword(await tokenSecret())
    await ensureAppRole(ownerUrl, password)
    const appUrl = withCredentials(ownerUrl, appRole, password)
    return {
      ownerUrl,
      appUrl,
      kind: 'external',
      describe: describeUrl(ownerUrl),
      close: () => Promise.resolve(),
    }
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, log)
  try {
    const password = await loadOrCreateSecret(config.dataDir, 'postgres-app-password', randomSecret)
    await ensureAppRole(embedded.ownerUrl, password)
    const appUrl = withCredentials(embedded.ownerUrl, appRole, password)
    return {
      ownerUrl: embedded.ownerUrl,
      appUrl,
      kind: 'embedded',
      describe: `embedded ${describeUrl(embedded.ownerUrl)}`,
      close: embedded.stop,
    }
  } catch (e) {
    await embedded.stop()
    throw e
  }
}

/** Knows how to open a PostgreSQL pool that returns the types the adapters decode. */
import knex, { type Knex } from 'knex'
import pg from 'pg'
import { accountScopedPgClient } from '../pg-session'

export type KnexOptions = Readonly<{
  /** postgres://user:password@host:port/database */
  url: string
  poolMax?: number
  /** Shown in pg_stat_activity, so operators can tell the app from the migrator. */
  applicationName?: string
  /** Server-side cap on one statement, so a stuck query cannot hold a pool connection for ever. */
  statementTimeoutMs?: number
  acquireTimeoutMs?: number
  /**
   * Where knex's own warnings go (e.g. one per failed connection attempt while PostgreSQL is down), instead of
   * unstructured console lines. Only their first line is passed: no stack traces in the log.
   */
  onWarning?: (message: string) => void
}>

const INT8_OID = 20

/**
 * int8 (counts, byte sizes) as numbers: every value this schema stores stays below 2^53. timestamptz stays
 * pg's default (Date); bytea arrives as Buffer. Per connection, not pg's global parsers.
 */
const types = {
  getTypeParser: (oid: number, format: string): unknown =>
    oid === INT8_OID && format === 'text'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text'),
}

export const createKnex = (options: KnexOptions): Knex =>
  knex({
    // knex's 'pg' client, whose withAccount transactions begin in one round trip (account-scoped-client.ts).
    client: accountScopedPgClient,
    connection: {
      connectionString: options.url,
      application_name: options.applicationName ?? 'zkeb',
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      types,
    },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    ...(options.onWarning === undefined ? {} : { log: knexLog(options.onWarning) }),
  })

const knexLog = (onWarning: (message: string) => void) => {
  const firstLine = (message: unknown) => onWarning(String(message).split('\n', 1)[0] ?? '')
  return { warn: firstLine, error: firstLine, deprecate: firstLine, debug: () => undefined }
}

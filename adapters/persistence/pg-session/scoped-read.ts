/**
 * Knows how to run one account-scoped select, the hot reads (a backup, a page of backups), in one round trip:
 * BEGIN, set_config, the select and COMMIT go out as one pipeline (scoped-select-query.ts) on a pool
 * connection, without knex's transaction and query-builder objects. The select still passes through the knex
 * client's `_query`, like every query knex sends, and is reported to knex's query listeners (instrument-knex.ts).
 * Anywhere else (a knex transaction, another client) it runs inside withAccount's transaction.
 * SECURITY: the select runs under the account's set_config, exactly as through withAccount.
 */
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { AccountId } from '../../../domain/ids'
import { AccountScopedPgClient, type QueryObject } from './account-scoped-client'
import { announceRawQuery } from './raw-pg-connection'
import { accountTransaction } from './with-account'

type Pool = Readonly<{
  acquireConnection: () => Promise<unknown>
  releaseConnection: (connection: unknown) => Promise<unknown>
  _query: (connection: unknown, obj: QueryObject) => Promise<{ response: { rows: ReadonlyArray<unknown> } }>
}>

/** `?` placeholders, as knex writes them, to pg's `$1`, `$2`… (the statements hold no other `?`). */
const positional = (sql: string): string => {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

const pipelined = async (
  knex: Knex,
  accountId: AccountId,
  sql: string,
  bindings: ReadonlyArray<unknown>,
): Promise<ReadonlyArray<unknown>> => {
  const pool = knex.client as unknown as Pool
  const connection = await pool.acquireConnection()
  const done = announceRawQuery(knex, 'select')
  try {
    const { response } = await pool._query(connection, {
      sql: positional(sql),
      bindings,
      zkebScopedRead: accountId,
    })
    done()
    return response.rows
  } catch (error) {
    done(error)
    throw error
  } finally {
    await pool.releaseConnection(connection)
  }
}

/** The rows of `sql` (`?` placeholders) under the account's scope; any failure is Unavailable('postgres'). */
export const readAsAccount = (
  knex: Knex,
  accountId: AccountId,
  sql: string,
  bindings: ReadonlyArray<unknown>,
): TE.TaskEither<Unavailable, ReadonlyArray<unknown>> =>
  TE.tryCatch(
    () =>
      knex.client instanceof AccountScopedPgClient && knex.isTransaction !== true
        ? pipelined(knex, accountId, sql, bindings)
        : accountTransaction(knex, accountId, async (trx) => {
            const result = await trx.raw<{ rows: ReadonlyArray<unknown> }>(sql, [...bindings] as never)
            return result.rows
          }),
    unavailable('postgres'),
  )

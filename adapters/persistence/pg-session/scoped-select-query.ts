/**
 * Knows how to send one account-scoped select as one pipeline: `BEGIN;`, `select set_config('zkeb.account_id',
 * $1, true)`, the select and `COMMIT;`, each Parse/Bind/(Describe)/Execute, then one Sync, in one write. PostgreSQL
 * answers all four at once: one round trip and one write instead of three of each (withAccount's pipelined BEGIN,
 * the select, COMMIT), with the same statements as withAccount's, in the same order. The account id is a bind
 * parameter, never SQL text.
 *
 * SECURITY: the select runs after set_config in the same transaction, so row-level security scopes it as any
 * withAccount query. If any statement fails, PostgreSQL skips the rest up to the Sync (the COMMIT included), so
 * nothing runs unscoped; the transaction is then rolled back before the failure is reported, and the connection
 * goes back to the pool outside any transaction.
 */
import { Query } from 'pg'

/** As withAccount sends it (knex turns `?` into `$1`), so the statements PostgreSQL logs are the same. */
const scopeSql = "select set_config('zkeb.account_id', $1, true)"

/** pg's value mapping for bind parameters (Dates as timestamptz text, Buffers as bytes, null as NULL). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- pg's own mapper, not in its typings
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown }

/** The wire-protocol calls pg's Connection offers to a query. */
type WireConnection = {
  parse: (message: { text: string }) => void
  bind: (message: { values: ReadonlyArray<unknown> }) => void
  describe: (message: { type: 'P'; name: string }) => void
  execute: (message: Record<string, never>) => void
  sync: () => void
}

/** What pg hands the callback: one result per statement that completed (only `command` and `rows` are read). */
type StatementResult = Readonly<{ command: string; rows: ReadonlyArray<unknown> }>
type Results = ReadonlyArray<StatementResult> | StatementResult

class ScopedSelect extends Query {
  readonly scopeAccountId: string
  readonly boundValues: ReadonlyArray<unknown>

  constructor(
    accountId: string,
    text: string,
    values: ReadonlyArray<unknown>,
    callback: (error: Error | undefined, results: Results) => void,
  ) {
    super({ text, values: [...values], queryMode: 'extended' } as never, callback as never)
    this.scopeAccountId = accountId
    this.boundValues = values
  }
}

const statement = (
  connection: WireConnection,
  text: string,
  values: ReadonlyArray<unknown>,
  rows: boolean,
): void => {
  connection.parse({ text })
  connection.bind({ values })
  // A statement that returns rows is described first, so pg knows how to parse them.
  if (rows) connection.describe({ type: 'P', name: '' })
  connection.execute({})
}

Object.defineProperty(ScopedSelect.prototype, 'prepare', {
  value: function prepare(this: ScopedSelect & { text: string }, connection: WireConnection): void {
    statement(connection, 'BEGIN;', [], false)
    statement(connection, scopeSql, [this.scopeAccountId], true)
    statement(connection, this.text, this.boundValues, true)
    statement(connection, 'COMMIT;', [], false)
    connection.sync()
  },
})

export type PgConnection = {
  query: (query: Query | string, callback?: (error: Error | undefined) => void) => unknown
}

/** pg reports each statement of the pipeline as its own result: BEGIN, set_config, the select, COMMIT. */
const selectResult = (results: Results): StatementResult => {
  const all: ReadonlyArray<StatementResult> = Array.isArray(results) ? results : [results as StatementResult]
  const [begin, , select, commit] = all
  if (all.length !== 4 || begin?.command !== 'BEGIN' || commit?.command !== 'COMMIT' || select === undefined)
    throw new Error('scoped select: unexpected pipeline results')
  return select
}

/** Runs `sql` ($n placeholders) scoped to `accountId` on `connection`; its result, or the failure after a rollback. */
export const runScopedSelect = async (
  connection: PgConnection,
  accountId: string,
  sql: string,
  bindings: ReadonlyArray<unknown>,
): Promise<StatementResult> => {
  try {
    const values = bindings.map(prepareValue) // may throw: before anything is written
    return await new Promise<StatementResult>((resolve, reject) => {
      connection.query(
        new ScopedSelect(accountId, sql, values, (error, results) => {
          if (error !== undefined && error !== null) return reject(error)
          try {
            resolve(selectResult(results))
          } catch (e) {
            reject(e instanceof Error ? e : new Error('scoped select: unreadable results'))
          }
        }),
      )
    })
  } catch (error) {
    await new Promise<void>((resolve) => connection.query('ROLLBACK', () => resolve()))
    throw error
  }
}

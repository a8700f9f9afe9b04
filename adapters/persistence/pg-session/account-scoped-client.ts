/**
 * Knows how to open an account-scoped transaction in one round trip instead of two. knex sends `BEGIN;` and
 * waits for it before withAccount's `select set_config('zkeb.account_id', $1, true)`; here both go out in one
 * write as one extended-protocol pipeline (Parse/Bind/Execute `BEGIN;`, Parse/Bind/Execute the set_config with
 * the account id as a bind parameter, one Sync), so PostgreSQL answers both at once. A `BEGIN` executed inside
 * a pipeline leaves its transaction open after the Sync (PostgreSQL docs, "Pipeline Mode"), and every statement
 * after it runs inside it. The server sees exactly the statements of knex's own path, in the same order (so
 * bench/sql's drift check and its pgbench ceilings hold for both). The account id is never put into the SQL.
 *
 * If either statement fails, the connection is rolled back before the failure is reported, so it goes back to
 * the pool outside any transaction. Nested transactions (savepoints), isolation levels and read-only
 * transactions take knex's ordinary path.
 */
import { Query } from 'pg'
import type { Knex } from 'knex'
import { runScopedSelect } from './scoped-select-query'

/** What withAccount passes in knex's transaction config; knex keeps unknown keys and hands them to the class. */
export type AccountScope = Readonly<{ zkebScopeAccountId?: string }>

/** As withAccount sends it through knex (`?` becomes `$1`), so PostgreSQL sees the same text either way. */
const scopeSql = "select set_config('zkeb.account_id', $1, true)"

/** The wire-protocol calls pg's Connection offers to a query (what pg's own Query uses to prepare). */
type WireConnection = {
  parse: (message: { text: string }) => void
  bind: (message: Record<string, never>) => void
  execute: (message: Record<string, never>) => void
}

/** pg's Query sending `BEGIN;` in the same pipeline, before its own statement. */
class BeginThen extends Query {
  constructor(text: string, values: ReadonlyArray<string>, callback: (error: Error | undefined) => void) {
    super({ text, values: [...values] }, callback)
  }
}
const queryPrepare = (Query.prototype as unknown as { prepare: (c: WireConnection) => void }).prepare
Object.defineProperty(BeginThen.prototype, 'prepare', {
  value: function prepare(this: Query, connection: WireConnection): void {
    connection.parse({ text: 'BEGIN;' })
    connection.bind({})
    connection.execute({})
    queryPrepare.call(this, connection)
  },
})

type PgConnection = {
  query: (query: Query | string, callback?: (error: Error | undefined) => void) => unknown
}

const send = (
  connection: PgConnection,
  query: (done: (error: Error | undefined) => void) => Query | string,
) =>
  new Promise<void>((resolve, reject) => {
    connection.query(query((error) => (error === undefined || error === null ? resolve() : reject(error))))
  })

/** BEGIN and the account scope in one round trip; on failure the connection is rolled back first. */
const beginScoped = async (connection: PgConnection, accountId: string): Promise<void> => {
  try {
    await send(connection, (done) => new BeginThen(scopeSql, [accountId], done))
  } catch (error) {
    await new Promise<void>((resolve) => connection.query('ROLLBACK', () => resolve()))
    throw error
  }
}

type TransactionInstance = {
  begin(connection: PgConnection): Promise<unknown>
  isolationLevel?: string
  readOnly?: boolean
}
type TransactionClass = new (
  client: unknown,
  container: unknown,
  config: AccountScope | undefined,
  outerTx: unknown,
) => TransactionInstance
type ClientClass = new (config: Knex.Config) => {
  transaction(...args: ReadonlyArray<unknown>): unknown
  _query(connection: unknown, obj: QueryObject): Promise<unknown>
}

/** knex's query object as its client's `_query` takes it; `zkebScopedRead` marks a read of scoped-read.ts. */
export type QueryObject = { sql: string; bindings?: ReadonlyArray<unknown>; zkebScopedRead?: string }

// knex exports no types for its dialect classes; these are the ones `client: 'pg'` would load.
/* eslint-disable @typescript-eslint/no-require-imports -- knex's internal dialect modules, typed above */
const PgTransaction = require('knex/lib/dialects/postgres/execution/pg-transaction') as TransactionClass
const PgClient = require('knex/lib/dialects/postgres') as ClientClass
/* eslint-enable @typescript-eslint/no-require-imports */

class AccountScopedTransaction extends PgTransaction {
  private readonly scopeAccountId: string | undefined

  constructor(client: unknown, container: unknown, config: AccountScope | undefined, outerTx: unknown) {
    super(client, container, config, outerTx)
    // knex starts the transaction only after a resolved promise, so this is set before begin() runs.
    this.scopeAccountId = config?.zkebScopeAccountId
  }

  override begin(connection: PgConnection): Promise<unknown> {
    const plain =
      this.scopeAccountId === undefined || this.isolationLevel !== undefined || this.readOnly === true
    return plain ? super.begin(connection) : beginScoped(connection, this.scopeAccountId)
  }
}

/** knex's PostgreSQL client whose transactions accept an AccountScope. */
export class AccountScopedPgClient extends PgClient {
  override transaction(...args: ReadonlyArray<unknown>): unknown {
    const [container, config, outerTx] = args
    return new AccountScopedTransaction(this, container, config as AccountScope | undefined, outerTx)
  }

  /** A scoped-read.ts read goes out as one pipeline (scoped-select-query.ts); others as knex sends them. */
  override _query(connection: unknown, obj: QueryObject): Promise<unknown> {
    if (obj.zkebScopedRead === undefined) return super._query(connection, obj)
    return runScopedSelect(connection as PgConnection, obj.zkebScopedRead, obj.sql, obj.bindings ?? []).then(
      (response) => ({ ...obj, response }),
    )
  }
}

/** The same, typed for `knex({ client })`, which expects knex's own Client class. */
export const accountScopedPgClient = AccountScopedPgClient as unknown as typeof Knex.Client

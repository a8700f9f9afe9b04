/**
 * Knows how a repository reaches one account's rows: every call in a transaction of its own (on the pool, with
 * pg-session's one-round-trip BEGIN and pipelined selects), or every call inside the one transaction of a
 * UnitOfWork. Either way the transaction names its account first, so row-level security scopes each statement:
 * inside a UnitOfWork a call naming another account sees none of its rows and cannot write them.
 */
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { AccountId } from '../../../domain/ids'
import { readAsAccount, withAccount } from '../pg-session'

/** Whether the transaction holds the account row's lock (QuotaLedger.lock), so an audit append need not take it. */
export type AccountLock = { held: boolean }

export type AccountAccess = Readonly<{
  /** Runs `work` in a transaction scoped to `accountId`; any failure is Unavailable('postgres'). */
  run: <A>(
    accountId: AccountId,
    work: (trx: Knex.Transaction, lock: AccountLock) => PromiseLike<A>,
  ) => TE.TaskEither<Unavailable, A>
  /** The rows of one select (`?` placeholders), scoped the same way. */
  read: (
    accountId: AccountId,
    sql: string,
    bindings: ReadonlyArray<unknown>,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<unknown>>
}>

/** Each call its own transaction: what the repositories of Ports use. */
export const ownTransactions = (knex: Knex): AccountAccess => ({
  run: (accountId, work) => withAccount(knex, accountId)((trx) => work(trx, { held: false })),
  read: (accountId, sql, bindings) => readAsAccount(knex, accountId, sql, bindings),
})

/**
 * Every call inside `trx`, already scoped to its account by the UnitOfWork: the account a call names is left to
 * row-level security, as the SQL names it too.
 */
export const sharedTransaction = (trx: Knex.Transaction): AccountAccess => {
  const lock: AccountLock = { held: false }
  return {
    run: (_accountId, work) => TE.tryCatch(async () => work(trx, lock), unavailable('postgres')),
    read: (_accountId, sql, bindings) =>
      TE.tryCatch(async () => {
        const result = await trx.raw<{ rows: ReadonlyArray<unknown> }>(sql, [...bindings] as never)
        return result.rows
      }, unavailable('postgres')),
  }
}

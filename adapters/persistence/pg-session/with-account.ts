/**
 * SECURITY: every account-scoped query runs in a transaction that first names the account in `zkeb.account_id`;
 * row-level security then hides and refuses every other account's rows, whatever the query says. The setting
 * is transaction-local (`set_config(..., true)`), so it never outlives the transaction on a pooled connection.
 */
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { AccountId } from '../../../domain/ids'
import { AccountScopedPgClient, type AccountScope } from './account-scoped-client'

/**
 * Runs `work` inside a transaction scoped to `accountId`, as a promise: the one way every account-scoped
 * transaction is opened (queries through withAccount, blob COPY reads, chunk write batches).
 */
export const accountTransaction = <A>(
  knex: Knex,
  accountId: AccountId,
  work: (trx: Knex.Transaction) => PromiseLike<A>,
): Promise<A> =>
  knex.client instanceof AccountScopedPgClient && knex.isTransaction !== true
    ? // BEGIN and set_config in one round trip (account-scoped-client.ts), then `work`.
      knex.transaction(async (trx) => work(trx), scope(accountId))
    : knex.transaction(async (trx) => {
        await trx.raw("select set_config('zkeb.account_id', ?, true)", [accountId])
        return work(trx)
      })

/** Runs `work` inside a transaction scoped to `accountId`; any failure is Unavailable('postgres'). */
export const withAccount =
  (knex: Knex, accountId: AccountId) =>
  <A>(work: (trx: Knex.Transaction) => PromiseLike<A>): TE.TaskEither<Unavailable, A> =>
    TE.tryCatch(() => accountTransaction(knex, accountId, work), unavailable('postgres'))

const scope = (accountId: AccountId): Knex.TransactionConfig & AccountScope => ({
  zkebScopeAccountId: accountId,
})

/** One query outside any account (SECURITY DEFINER functions, probes). */
export const query = <A>(run: () => PromiseLike<A>): TE.TaskEither<Unavailable, A> =>
  TE.tryCatch(async () => run(), unavailable('postgres'))

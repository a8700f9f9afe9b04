/**
 * Knows how to open a login's session in PostgreSQL in one account-scoped transaction: lock the account row
 * and check it is still enabled, write the session and its first refresh digest (as knex-session-store.ts
 * does), and append the `login` event to the hash chain (as knex-audit-repository.ts does, under the lock
 * taken here). One commit and 6 round trips, where the account read, the session and the event had 3
 * transactions and 13 round trips.
 * Held to the over-ports twin by test/contracts/session-opener.contract.ts.
 * The account row is locked first, as every audit append locks it, so concurrent logins of one account append
 * one at a time; a session written here is cached by cached-session-store.ts on its first check, as any other.
 */
import type { Knex } from 'knex'
import type { OpenOutcome, SessionOpener } from '../../../application/ports/session-opener'
import { appendToLockedChain } from './knex-audit-repository'
import { insertSession } from './knex-session-store'
import { withAccount } from '../pg-session'

export const knexSessionOpener = (knex: Knex): SessionOpener => ({
  open: (session, refreshDigest, requestId) =>
    withAccount(
      knex,
      session.accountId,
    )(async (trx): Promise<OpenOutcome> => {
      const [account] = await trx('zkeb.accounts')
        .where({ account_id: session.accountId })
        .forNoKeyUpdate()
        .select<Array<{ disabled_at: Date | null }>>('disabled_at')
      if (account === undefined || account.disabled_at !== null) return 'refused'
      await insertSession(trx, session, refreshDigest)
      // A failed insert throws, so the transaction rolls back and the session is not kept without its event.
      await appendToLockedChain(
        trx,
        { accountId: session.accountId, type: 'login', deviceId: session.deviceId, requestId },
        session.createdAt,
      )
      return 'opened'
    }),
})

/**
 * Knows how to open a login's session from three separate ports, one after the other: the account check, the
 * session, then the `login` event. Not one transaction: used where the sessions live in another store than the
 * audit trail (STORE=memory keeps them in process memory), and as the twin of the one-transaction knex adapter
 * in test/contracts/session-opener.contract.ts.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { AuditRepository } from '../../application/ports/audit-repository'
import type { OpenOutcome, SessionOpener } from '../../application/ports/session-opener'
import type { SessionStore } from '../../application/ports/session-store'
import { isDisabled } from '../../domain/account'

export const sessionOpenerOverPorts = (ports: {
  accounts: AccountRepository
  sessions: SessionStore
  audit: AuditRepository
}): SessionOpener => ({
  open: (session, refreshDigest, requestId) =>
    pipe(
      ports.accounts.findById(session.accountId),
      TE.flatMap((found) =>
        O.isNone(found) || isDisabled(found.value)
          ? TE.right<never, OpenOutcome>('refused')
          : pipe(
              ports.sessions.create(session, refreshDigest),
              TE.flatMap(() =>
                ports.audit.append(
                  { accountId: session.accountId, type: 'login', deviceId: session.deviceId, requestId },
                  session.createdAt,
                ),
              ),
              TE.as<OpenOutcome>('opened'),
            ),
      ),
    ),
})

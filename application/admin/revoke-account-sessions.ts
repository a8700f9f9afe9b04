import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { RequestContext } from '../context'
import { recordEvent } from '../shared/steps'
import { type AccountName, type AccountRef, findAccount, type FindError, nameOf } from './account-steps'
import type { AdminPorts } from './ports'

/**
 * Ends every session of the account (its access tokens stop working at once; each device logs in again),
 * then records `operator-sessions-revoked`. The session store is not the database, so the two are not one
 * transaction: the event is written only once the sessions are gone, and a failed run is simply run again.
 */
export type RevokeAccountSessions = (
  ref: AccountRef,
  ctx: RequestContext,
) => TE.TaskEither<FindError, AccountName>
export const revokeAccountSessions =
  (deps: Pick<AdminPorts, 'accounts' | 'sessions' | 'audit' | 'clock'>): RevokeAccountSessions =>
  (ref, ctx) =>
    pipe(
      findAccount(deps, ref),
      TE.map(nameOf),
      TE.tap(({ accountId }) => deps.sessions.revokeAccount(accountId)),
      TE.tap(({ accountId }) => recordEvent(deps)(accountId, 'operator-sessions-revoked', ctx)),
    )

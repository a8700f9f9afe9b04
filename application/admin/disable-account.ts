import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { disableAccount, isDisabled } from '../../domain/account'
import type { VersionMismatch } from '../../domain/errors'
import type { RequestContext } from '../context'
import { type AccountAdminView, type AccountRef, changeAccount, type FindError } from './account-steps'
import type { AdminPorts } from './ports'

/**
 * Disables the account (no login, refresh or recovery; recorded as `operator-account-disabled`) and ends
 * every session it has, so its access tokens stop working at once. Sessions are ended on every run, so running
 * it again finishes a run whose revocation failed; the first disabling time is kept.
 */
export type DisableAccount = (
  ref: AccountRef,
  ctx: RequestContext,
) => TE.TaskEither<FindError | VersionMismatch, AccountAdminView>
export const disableAccountByOperator =
  (deps: Pick<AdminPorts, 'accounts' | 'unitOfWork' | 'sessions' | 'clock'>): DisableAccount =>
  (ref, ctx) =>
    pipe(
      changeAccount(deps, ref, ctx, 'operator-account-disabled', (account, now) =>
        isDisabled(account) ? O.none : O.some(disableAccount(account, now)),
      ),
      TE.tap((view) => deps.sessions.revokeAccount(view.accountId)),
    )

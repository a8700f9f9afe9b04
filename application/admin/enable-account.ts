import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import { isDisabled } from '../../domain/account'
import type { VersionMismatch } from '../../domain/errors'
import type { RequestContext } from '../context'
import { type AccountAdminView, type AccountRef, changeAccount, type FindError } from './account-steps'
import type { AdminPorts } from './ports'

/** Undoes a disabling (recorded as `operator-account-enabled`): the account may log in again. */
export type EnableAccount = (
  ref: AccountRef,
  ctx: RequestContext,
) => TE.TaskEither<FindError | VersionMismatch, AccountAdminView>
export const enableAccountByOperator =
  (deps: Pick<AdminPorts, 'accounts' | 'unitOfWork' | 'clock'>): EnableAccount =>
  (ref, ctx) =>
    changeAccount(deps, ref, ctx, 'operator-account-enabled', (account) =>
      isDisabled(account) ? O.some({ ...account, disabledAt: O.none }) : O.none,
    )

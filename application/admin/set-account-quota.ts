import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import { setQuotaLimit } from '../../domain/account'
import type { VersionMismatch } from '../../domain/errors'
import type { RequestContext } from '../context'
import { type AccountAdminView, type AccountRef, changeAccount, type FindError } from './account-steps'
import type { AdminPorts } from './ports'

/**
 * A new limit (bytes, a whole number from 0), recorded as `operator-quota-changed`. It applies to the next
 * upload; stored backups are never removed for being over it.
 */
export type SetAccountQuota = (
  ref: AccountRef,
  limitBytes: number,
  ctx: RequestContext,
) => TE.TaskEither<FindError | VersionMismatch, AccountAdminView>
export const setAccountQuota =
  (deps: Pick<AdminPorts, 'accounts' | 'unitOfWork' | 'clock'>): SetAccountQuota =>
  (ref, limitBytes, ctx) =>
    changeAccount(deps, ref, ctx, 'operator-quota-changed', (account) =>
      account.quotaLimitBytes === limitBytes ? O.none : O.some(setQuotaLimit(account, limitBytes)),
    )

import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type AccountAdminView, type AccountRef, findAccount, type FindError, viewIn } from './account-steps'
import type { AdminPorts } from './ports'

/** One account as an operator sees it: no key material, no OPAQUE record. Reading is not audited. */
export type ShowAccount = (ref: AccountRef) => TE.TaskEither<FindError, AccountAdminView>
export const showAccount =
  (deps: Pick<AdminPorts, 'accounts' | 'unitOfWork'>): ShowAccount =>
  (ref) =>
    pipe(
      findAccount(deps, ref),
      TE.flatMap((account) => deps.unitOfWork.inAccount(account.accountId, (tx) => viewIn(tx)(account))),
    )

import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { KeyBundle } from '../../domain/account'
import { type AccountNotFound, accountNotFound } from '../../domain/errors'
import type { AccountId, Username } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

export type AccountView = Readonly<{
  accountId: AccountId
  username: Username
  createdAt: Date
  keyBundle: KeyBundle
  keyBundleVersion: number
  quota: Readonly<{ limitBytes: number; usedBytes: number }>
}>
/** The caller's account with its key bundle and quota usage (live and trashed bytes). */
export type GetAccount = (caller: Caller) => TE.TaskEither<AccountNotFound | Unavailable, AccountView>
export type GetAccountDeps = Pick<Ports, 'unitOfWork'>

/** The account and its stored bytes in one read. */
export const getAccount =
  (deps: GetAccountDeps): GetAccount =>
  (caller) =>
    pipe(
      deps.unitOfWork.inAccount(caller.accountId, (tx) => tx.quota.standing(caller.accountId)),
      TE.flatMap(TE.fromOption(() => accountNotFound)),
      TE.map(({ account, usedBytes }): AccountView => ({
        accountId: account.accountId,
        username: account.username,
        createdAt: account.createdAt,
        keyBundle: account.keyBundle,
        keyBundleVersion: account.keyBundleVersion,
        quota: { limitBytes: account.quotaLimitBytes, usedBytes },
      })),
    )

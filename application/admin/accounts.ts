/**
 * Operators' account use cases: show, disable, set the quota. They go through the same repositories and
 * domain rules as the HTTP API; an account is named by id or username.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { type Account, disableAccount, setQuotaLimit } from '../../domain/account'
import { type AccountNotFound, accountNotFound, type VersionMismatch } from '../../domain/errors'
import type { AccountId, Username } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { AdminPorts } from './ports'

export type AccountRef = Readonly<{ accountId: AccountId }> | Readonly<{ username: Username }>

export type AccountAdminView = Readonly<{
  accountId: AccountId
  username: Username
  createdAt: Date
  disabledAt: Date | null
  keyBundleVersion: number
  quota: Readonly<{ limitBytes: number; usedBytes: number }>
}>

type Deps = Pick<AdminPorts, 'accounts' | 'unitOfWork' | 'sessions' | 'clock'>
type AdminError = AccountNotFound | Unavailable

const find = (deps: Deps, ref: AccountRef): TE.TaskEither<AdminError, Account> =>
  pipe(
    'accountId' in ref ? deps.accounts.findById(ref.accountId) : deps.accounts.findByUsername(ref.username),
    TE.flatMap(TE.fromOption(() => accountNotFound)),
  )

const view =
  (deps: Deps) =>
  (account: Account): TE.TaskEither<Unavailable, AccountAdminView> =>
    pipe(
      deps.unitOfWork.inAccount(account.accountId, (tx) => tx.quota.standing(account.accountId)),
      TE.map(
        O.match(
          () => 0,
          ({ usedBytes }) => usedBytes,
        ),
      ),
      TE.map((usedBytes) => ({
        accountId: account.accountId,
        username: account.username,
        createdAt: account.createdAt,
        disabledAt: O.toNullable(account.disabledAt),
        keyBundleVersion: account.keyBundleVersion,
        quota: { limitBytes: account.quotaLimitBytes, usedBytes },
      })),
    )

/** Saves a change that leaves the key bundle alone: the version is both expected and kept. */
const saveUnversioned = (
  deps: Deps,
  account: Account,
): TE.TaskEither<Unavailable | VersionMismatch, Account> =>
  pipe(deps.accounts.save(account, account.keyBundleVersion), TE.as(account))

export type ShowAccount = (ref: AccountRef) => TE.TaskEither<AdminError, AccountAdminView>
export const showAccount =
  (deps: Deps): ShowAccount =>
  (ref) =>
    pipe(find(deps, ref), TE.flatMap(view(deps)))

/** Disables the account and ends every session it has: its access tokens stop working at once. */
export type DisableAccount = (
  ref: AccountRef,
) => TE.TaskEither<AdminError | VersionMismatch, AccountAdminView>
export const disableAccountByOperator =
  (deps: Deps): DisableAccount =>
  (ref) =>
    pipe(
      find(deps, ref),
      TE.map((account) => disableAccount(account, deps.clock.now())),
      TE.flatMap((account) => saveUnversioned(deps, account)),
      TE.tap((account) => deps.sessions.revokeAccount(account.accountId)),
      TE.flatMap(view(deps)),
    )

/** A new limit applies to the next upload; stored backups are never removed for being over it. */
export type SetAccountQuota = (
  ref: AccountRef,
  limitBytes: number,
) => TE.TaskEither<AdminError | VersionMismatch, AccountAdminView>
export const setAccountQuota =
  (deps: Deps): SetAccountQuota =>
  (ref, limitBytes) =>
    pipe(
      find(deps, ref),
      TE.map((account) => setQuotaLimit(account, limitBytes)),
      TE.flatMap((account) => saveUnversioned(deps, account)),
      TE.flatMap(view(deps)),
    )

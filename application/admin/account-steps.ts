/**
 * What the operator's account use cases share: naming an account (by id or username), the view they answer
 * with, and an operator's change made in one unit of work with its audit event.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import type { AuditEventType } from '../../domain/audit'
import { type AccountNotFound, accountNotFound, type VersionMismatch } from '../../domain/errors'
import type { AccountId, Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { AccountTransaction } from '../ports/unit-of-work'
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

/** The account a command named: its id and username, once found. */
export type AccountName = Readonly<{ accountId: AccountId; username: Username }>

export type FindError = AccountNotFound | Unavailable

type Deps = Pick<AdminPorts, 'accounts' | 'unitOfWork' | 'clock'>

export const findAccount = (
  deps: Pick<AdminPorts, 'accounts'>,
  ref: AccountRef,
): TE.TaskEither<FindError, Account> =>
  pipe(
    'accountId' in ref ? deps.accounts.findById(ref.accountId) : deps.accounts.findByUsername(ref.username),
    TE.flatMap(TE.fromOption(() => accountNotFound)),
  )

export const nameOf = (account: AccountName): AccountName => ({
  accountId: account.accountId,
  username: account.username,
})

/** The view of `account`, its used bytes read in `tx`. */
export const viewIn =
  (tx: AccountTransaction) =>
  (account: Account): TE.TaskEither<Unavailable, AccountAdminView> =>
    pipe(
      tx.quota.usage(account.accountId),
      TE.map(({ usedBytes }) => ({
        accountId: account.accountId,
        username: account.username,
        createdAt: account.createdAt,
        disabledAt: O.toNullable(account.disabledAt),
        keyBundleVersion: account.keyBundleVersion,
        quota: { limitBytes: account.quotaLimitBytes, usedBytes },
      })),
    )

/** An operator's change: the account as it becomes, or `none` when it already is so (nothing is written). */
export type OperatorChange = (account: Account, now: Date) => O.Option<Account>

/**
 * Applies `change` to the account under its lock, saves it and appends `event` to its trail, all in one
 * transaction; a change that changes nothing writes nothing, so repeating a command never repeats its event.
 * The save keeps the key bundle version (it is both expected and kept).
 */
export const changeAccount = (
  deps: Deps,
  ref: AccountRef,
  ctx: RequestContext,
  event: AuditEventType,
  change: OperatorChange,
): TE.TaskEither<FindError | VersionMismatch, AccountAdminView> =>
  pipe(
    findAccount(deps, ref),
    TE.flatMap(({ accountId }) =>
      deps.unitOfWork.inAccount(accountId, (tx) =>
        pipe(
          tx.quota.lock(accountId),
          TE.flatMap(TE.fromOption((): FindError | VersionMismatch => accountNotFound)),
          TE.flatMap((account) => {
            const at = deps.clock.now()
            return pipe(
              change(account, at),
              O.match(
                () => TE.right(account),
                (changed) =>
                  pipe(
                    tx.accounts.save(changed, account.keyBundleVersion),
                    TE.flatMap(() =>
                      tx.audit.append(
                        { accountId, type: event, deviceId: null, requestId: ctx.requestId },
                        at,
                      ),
                    ),
                    TE.as(changed),
                  ),
              ),
            )
          }),
          TE.flatMap(viewIn(tx)),
        ),
      ),
    ),
  )

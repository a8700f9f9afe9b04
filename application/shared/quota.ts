/**
 * The quota's arithmetic, in one place: every use case that stores bytes checks here, with the QuotaLedger of
 * the UnitOfWork transaction that writes them. Stored bytes (backups live and trashed, restic objects) and the
 * bytes open resumable uploads reserve are all taken space.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import { type QuotaExceeded, type UploadTooLarge, uploadTooLarge } from '../../domain/errors'
import type { AccountId, BackupId } from '../../domain/ids'
import { checkQuota } from '../../domain/quota'
import { unavailable, type Unavailable } from '../errors'
import type { QuotaLedger } from '../ports/quota-ledger'

/** An account deleted between a write's checks and its commit: the write fails as the database would fail it. */
export const accountGone = (): Unavailable => unavailable('database')(new Error('account not found'))

/** Takes the account's lock for the rest of the transaction and returns the account as it stands under it. */
export const lockAccount = (quota: QuotaLedger, accountId: AccountId): TE.TaskEither<Unavailable, Account> =>
  pipe(quota.lock(accountId), TE.flatMap(TE.fromOption(accountGone)))

/**
 * Under the lock: Right when `incomingBytes` more fit beside what the account stores and what its open
 * resumable uploads reserve (but the reservation of the upload becoming `except`, whose bytes these are).
 */
export const ensureRoom = (
  quota: QuotaLedger,
  account: Account,
  incomingBytes: number,
  except?: BackupId,
): TE.TaskEither<Unavailable | QuotaExceeded, void> =>
  pipe(
    quota.usage(account.accountId, except),
    TE.flatMapEither(({ usedBytes, reservedBytes }) =>
      checkQuota(
        { limitBytes: account.quotaLimitBytes, usedBytes: usedBytes + reservedBytes },
        incomingBytes,
      ),
    ),
    TE.asUnit,
  )

/**
 * Before a byte is read: refuses an announced length that cannot fit, over the upload limit or beside the bytes
 * stored (a first look without the lock; the commit checks again under it). No announced length passes.
 */
export const announcedLengthFits = (
  maxUploadBytes: number,
  standing: Readonly<{ account: Account; usedBytes: number }>,
  length: number | undefined,
): E.Either<UploadTooLarge | QuotaExceeded, void> => {
  if (length === undefined) return E.right(undefined)
  if (length > maxUploadBytes) return E.left(uploadTooLarge(maxUploadBytes))
  const usage = { usedBytes: standing.usedBytes, limitBytes: standing.account.quotaLimitBytes }
  return pipe(checkQuota(usage, length), E.asUnit)
}

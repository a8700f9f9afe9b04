/**
 * The steps both forms of key rotation end with (the one-request form, accounts/rotate-keys.ts, and the staged
 * commit, key-rotation/commit-key-rotation.ts), inside the account's transaction and lock.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Account, KeyBundle } from '../../domain/account'
import type { VersionMismatch } from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import type { WrappedSnapshotKey } from '../../domain/snapshot'
import {
  type SnapshotKeyNotRotated,
  snapshotKeyNotRotated,
  type SnapshotKeyNotStored,
  snapshotKeyNotStored,
} from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { AccountTransaction } from '../ports/unit-of-work'
import { recordEvent } from '../shared/steps'

/** The snapshot key's new wrapping, given exactly when the account has a snapshot key (protocol v1.1 §2). */
export const rewrapSnapshotKey = (
  tx: AccountTransaction,
  accountId: AccountId,
  snapshotKey: WrappedSnapshotKey | undefined,
): TE.TaskEither<SnapshotKeyNotRotated | SnapshotKeyNotStored | Unavailable, void> =>
  pipe(
    tx.snapshotKeys.find(accountId),
    TE.flatMap((stored): TE.TaskEither<SnapshotKeyNotRotated | SnapshotKeyNotStored | Unavailable, void> => {
      if (O.isSome(stored) && snapshotKey === undefined) return TE.left(snapshotKeyNotRotated)
      if (O.isNone(stored) && snapshotKey !== undefined) return TE.left(snapshotKeyNotStored)
      return snapshotKey === undefined
        ? TE.right(undefined)
        : TE.asUnit(tx.snapshotKeys.rewrap(accountId, snapshotKey))
    }),
  )

/** The new key bundle under the next version, and the one `key-rotated` event. */
export const installKeyBundle = (
  tx: AccountTransaction,
  clock: Ports['clock'],
  caller: Caller,
  account: Account,
  keyBundle: KeyBundle,
): TE.TaskEither<Unavailable | VersionMismatch, { keyBundleVersion: number }> => {
  const keyBundleVersion = account.keyBundleVersion + 1
  return pipe(
    tx.accounts.save({ ...account, keyBundle, keyBundleVersion }, account.keyBundleVersion),
    TE.flatMap(() =>
      recordEvent({ audit: tx.audit, clock })(caller.accountId, 'key-rotated', caller, caller.deviceId),
    ),
    TE.as({ keyBundleVersion }),
  )
}

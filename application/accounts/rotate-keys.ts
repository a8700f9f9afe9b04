import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { KeyBundle } from '../../domain/account'
import { WrappedKey } from '../../domain/backup'
import {
  type RotationIncomplete,
  type RotationUnknownBackups,
  type VersionMismatch,
  versionMismatch,
} from '../../domain/errors'
import { BackupId } from '../../domain/ids'
import { duplicateBackupPaths } from '../../domain/key-rotation'
import { type RotationDuplicateBackups, rotationDuplicateBackups } from '../../domain/rotation-errors'
import { WrappedSnapshotKey } from '../../domain/snapshot'
import type { SnapshotKeyNotRotated, SnapshotKeyNotStored } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { Version } from '../shared/codecs'
import { lockAccount } from '../shared/quota'
import { installKeyBundle, rewrapSnapshotKey } from './rotation-steps'

export const RotateKeysInput = t.exact(
  t.intersection([
    t.type({
      expectedVersion: Version,
      keyBundle: KeyBundle,
      wrappedKeys: t.array(t.strict({ backupId: BackupId, wrappedKey: WrappedKey })),
    }),
    /** The snapshot repository key re-wrapped under the new BKK: required exactly when the account has one. */
    t.partial({ snapshotKey: WrappedSnapshotKey }),
  ]),
)
export type RotateKeysInput = t.TypeOf<typeof RotateKeysInput>
export type RotateKeysError =
  | RotationDuplicateBackups
  | VersionMismatch
  | RotationIncomplete
  | RotationUnknownBackups
  | SnapshotKeyNotRotated
  | SnapshotKeyNotStored
  | Unavailable
/**
 * All-or-nothing re-wrap of every backup's data key (live and trashed) (and the snapshot key, if any) under a new UMK;
 * records `key-rotated`.
 */
export type RotateKeys = (
  input: RotateKeysInput,
  caller: Caller,
) => TE.TaskEither<RotateKeysError, { readonly keyBundleVersion: number }>
export type RotateKeysDeps = Pick<Ports, 'unitOfWork' | 'clock'>

/**
 * One transaction under the account's lock: the version, the coverage of the wrapped keys, the key bundle and
 * the `key-rotated` event, so nothing is half-rotated and no event is missing.
 */
export const rotateKeys =
  (deps: RotateKeysDeps): RotateKeys =>
  (input, caller) => {
    const duplicates = duplicateBackupPaths(input.wrappedKeys)
    if (duplicates.length > 0) return TE.left(rotationDuplicateBackups(duplicates))
    return deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        lockAccount(tx.quota, caller.accountId),
        TE.filterOrElseW(
          (account) => account.keyBundleVersion === input.expectedVersion,
          (account) => versionMismatch(account.keyBundleVersion),
        ),
        TE.flatMap((account) => {
          const keyBundleVersion = account.keyBundleVersion + 1
          return pipe(
            tx.backups.rewrapKeys(caller.accountId, keyBundleVersion, input.wrappedKeys),
            TE.flatMap(() => rewrapSnapshotKey(tx, caller.accountId, input.snapshotKey)),
            TE.flatMap(() => installKeyBundle(tx, deps.clock, caller, account, input.keyBundle)),
          )
        }),
      ),
    )
  }

import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import {
  type RotationIncomplete,
  rotationIncompleteOf,
  type VersionMismatch,
  versionMismatch,
} from '../../domain/errors'
import { KeyRotationId } from '../../domain/key-rotation'
import type { KeyRotationNotFound } from '../../domain/rotation-errors'
import { WrappedSnapshotKey } from '../../domain/snapshot'
import type { SnapshotKeyNotRotated, SnapshotKeyNotStored } from '../../domain/snapshot-errors'
import { installKeyBundle, rewrapSnapshotKey } from '../accounts/rotation-steps'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { AccountTransaction } from '../ports/unit-of-work'
import { lockAccount } from '../shared/quota'
import { openRotation } from './open-rotation'

/** How many missing backups a refused commit names (`missingCount` tells how many miss in all). */
const missingNamed = 1000

export const CommitKeyRotationInput = t.exact(
  t.intersection([
    t.type({ rotationId: KeyRotationId }),
    /** The snapshot repository key re-wrapped under the new BKK: required exactly when the account has one. */
    t.partial({ snapshotKey: WrappedSnapshotKey }),
  ]),
)
export type CommitKeyRotationInput = t.TypeOf<typeof CommitKeyRotationInput>
export type CommitKeyRotationError =
  | KeyRotationNotFound
  | VersionMismatch
  | RotationIncomplete
  | SnapshotKeyNotRotated
  | SnapshotKeyNotStored
  | Unavailable

/**
 * One transaction under the account's lock: the rotation still open, the key bundle unchanged since it began,
 * a staged key for every backup (live and trashed; those uploaded meanwhile included), the snapshot key's new
 * wrapping exactly when the account has one; then every backup's key, the snapshot key and the key bundle are
 * swapped, the staging is dropped and `key-rotated` is recorded, all or nothing. A refused commit leaves the
 * rotation open: the client stages what is missing and commits again.
 */
export type CommitKeyRotation = (
  input: CommitKeyRotationInput,
  caller: Caller,
) => TE.TaskEither<CommitKeyRotationError, { readonly keyBundleVersion: number }>

const ensureComplete =
  (tx: AccountTransaction, caller: Caller) => (): TE.TaskEither<RotationIncomplete | Unavailable, void> =>
    pipe(
      tx.keyRotations.pending(caller.accountId, O.none, missingNamed),
      TE.flatMap((missing) =>
        missing.length === 0
          ? TE.right(undefined)
          : pipe(
              tx.keyRotations.counts(caller.accountId),
              TE.flatMap(({ backups, staged }) =>
                TE.left(
                  rotationIncompleteOf(
                    missing.map((m) => m.backupId),
                    backups - staged,
                  ),
                ),
              ),
            ),
      ),
    )

export const commitKeyRotation =
  (deps: Pick<Ports, 'unitOfWork' | 'clock'>): CommitKeyRotation =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        lockAccount(tx.quota, caller.accountId),
        TE.flatMap((account) =>
          pipe(
            openRotation(tx, caller.accountId, input.rotationId, deps.clock.now()),
            TE.filterOrElseW(
              (rotation) => rotation.expectedVersion === account.keyBundleVersion,
              () => versionMismatch(account.keyBundleVersion),
            ),
            TE.tap(ensureComplete(tx, caller)),
            TE.tap(() => rewrapSnapshotKey(tx, caller.accountId, input.snapshotKey)),
            TE.flatMap((rotation) =>
              pipe(
                tx.keyRotations.apply(caller.accountId, account.keyBundleVersion + 1),
                TE.flatMap(() => installKeyBundle(tx, deps.clock, caller, account, rotation.keyBundle)),
              ),
            ),
          ),
        ),
      ),
    )

import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type SnapshotNotFound, snapshotNotFound } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { SnapshotRef } from './get-snapshot'

/**
 * Forgets a snapshot: the record and its refs go, with the `snapshot-deleted` event, in one transaction. There
 * is no trash: its objects stay until the collector finds them unreferenced past the grace period, and a new
 * backup of the same data references them again for free.
 */
export type DeleteSnapshot = (
  input: SnapshotRef,
  caller: Caller,
) => TE.TaskEither<SnapshotNotFound | Unavailable, void>
export type DeleteSnapshotDeps = Pick<Ports, 'unitOfWork' | 'clock'>

export const deleteSnapshot =
  (deps: DeleteSnapshotDeps): DeleteSnapshot =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        tx.snapshots.remove(caller.accountId, input.snapshotId),
        TE.filterOrElseW(
          (removed) => removed,
          () => snapshotNotFound(input.snapshotId),
        ),
        TE.flatMap(() =>
          tx.audit.append(
            {
              accountId: caller.accountId,
              type: 'snapshot-deleted',
              deviceId: caller.deviceId,
              requestId: caller.requestId,
            },
            deps.clock.now(),
          ),
        ),
        TE.asUnit,
      ),
    )

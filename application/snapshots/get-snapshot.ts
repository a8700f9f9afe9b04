import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { SnapshotId, type SnapshotRecord } from '../../domain/snapshot'
import { type SnapshotNotFound, snapshotNotFound } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** Names one snapshot of the caller's account. */
export const SnapshotRef = t.strict({ snapshotId: SnapshotId })
export type SnapshotRef = t.TypeOf<typeof SnapshotRef>
/** One snapshot's record; another account's is not found, never confirmed. */
export type GetSnapshot = (
  input: SnapshotRef,
  caller: Caller,
) => TE.TaskEither<SnapshotNotFound | Unavailable, SnapshotRecord>
export type GetSnapshotDeps = Pick<Ports, 'unitOfWork'>

export const getSnapshot =
  (deps: GetSnapshotDeps): GetSnapshot =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        tx.snapshots.find(caller.accountId, input.snapshotId),
        TE.flatMap(TE.fromOption(() => snapshotNotFound(input.snapshotId))),
      ),
    )

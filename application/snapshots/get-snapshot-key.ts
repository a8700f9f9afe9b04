import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { SnapshotKey } from '../../domain/snapshot'
import { type SnapshotKeyNotFound, snapshotKeyNotFound } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** The account's wrapped repository key; SnapshotKeyNotFound before its first snapshot. */
export type GetSnapshotKey = (caller: Caller) => TE.TaskEither<SnapshotKeyNotFound | Unavailable, SnapshotKey>
export type GetSnapshotKeyDeps = Pick<Ports, 'unitOfWork'>

export const getSnapshotKey =
  (deps: GetSnapshotKeyDeps): GetSnapshotKey =>
  (caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(tx.snapshotKeys.find(caller.accountId), TE.flatMap(TE.fromOption(() => snapshotKeyNotFound))),
    )

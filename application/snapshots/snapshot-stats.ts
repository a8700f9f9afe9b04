import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { SnapshotStats } from '../../domain/snapshot'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** What the account's snapshots hold: unique stored bytes (the quota's figure), objects, packs, snapshots. */
export type GetSnapshotStats = (caller: Caller) => TE.TaskEither<Unavailable, SnapshotStats>
export type GetSnapshotStatsDeps = Pick<Ports, 'unitOfWork'>

export const getSnapshotStats =
  (deps: GetSnapshotStatsDeps): GetSnapshotStats =>
  (caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        TE.Do,
        TE.bind('stored', () => tx.snapshotObjects.stats(caller.accountId)),
        TE.bind('snapshots', () => tx.snapshots.count(caller.accountId)),
        TE.map(({ stored, snapshots }) => ({ ...stored, snapshots })),
      ),
    )

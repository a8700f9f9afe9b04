import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { InvalidCursor } from '../../domain/errors'
import type { Cursor, Page } from '../../domain/pagination'
import { toPage } from '../../domain/pagination'
import { SeriesId, type SnapshotRecord } from '../../domain/snapshot'
import { optionalCursor } from '../backups/list-backups'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { PageLimit } from '../shared/codecs'

export const ListSnapshotsInput = t.exact(
  t.intersection([t.type({ limit: PageLimit }), t.partial({ cursor: t.string, seriesId: SeriesId })]),
)
export type ListSnapshotsInput = t.TypeOf<typeof ListSnapshotsInput>
/** The account's snapshots (or one series'), newest first by the server's receive time, keyset-paginated. */
export type ListSnapshots = (
  input: ListSnapshotsInput,
  caller: Caller,
) => TE.TaskEither<InvalidCursor | Unavailable, Page<SnapshotRecord>>
export type ListSnapshotsDeps = Pick<Ports, 'unitOfWork'>

const snapshotCursor = (s: SnapshotRecord): Cursor => ({ at: s.receivedAt, id: s.snapshotId })

export const listSnapshots =
  (deps: ListSnapshotsDeps): ListSnapshots =>
  (input, caller) =>
    pipe(
      optionalCursor(input.cursor),
      TE.flatMap((cursor) =>
        deps.unitOfWork.inAccount(caller.accountId, (tx) =>
          tx.snapshots.list(caller.accountId, {
            limit: input.limit,
            cursor,
            seriesId: O.fromNullable(input.seriesId),
          }),
        ),
      ),
      TE.map((rows) => toPage(rows, input.limit, snapshotCursor)),
    )

import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { Cursor } from '../../domain/pagination'
import type { ObjectId, SeriesId, SnapshotId, SnapshotRecord } from '../../domain/snapshot'
import type { SnapshotExists } from '../../domain/snapshot-errors'
import type { Unavailable } from '../errors'

export type SnapshotQuery = Readonly<{
  limit: number
  cursor: O.Option<Cursor>
  seriesId: O.Option<SeriesId>
}>

/**
 * Snapshot records and their refs (the ids each keeps alive). Refs travel as bytes: 32-byte ids concatenated,
 * sorted, unique. Account-scoped (row-level security), handed out inside a UnitOfWork.
 * Implementations: adapters/persistence/knex/knex-snapshot-repository.ts, adapters/in-memory.
 * Contract: test/contracts/snapshot-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type SnapshotRepository = {
  /**
   * Takes the account's collector lock until the transaction ends: a snapshot's creation (refs checked, then
   * stored) and the collector's removal of unreferenced objects never interleave.
   */
  readonly lockCollector: (accountId: AccountId) => TE.TaskEither<Unavailable, void>
  readonly find: (
    accountId: AccountId,
    snapshotId: SnapshotId,
  ) => TE.TaskEither<Unavailable, O.Option<SnapshotRecord>>
  /** Newest first by (receivedAt, snapshotId); up to `limit + 1` rows so the caller can tell a next page. */
  readonly list: (
    accountId: AccountId,
    query: SnapshotQuery,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<SnapshotRecord>>
  /**
   * Stores the record with its refs, each of which the account must hold (the object index), or nothing is
   * stored (Unavailable). Left(SnapshotExists) when the id is taken.
   */
  readonly insert: (
    record: SnapshotRecord,
    refs: Uint8Array,
  ) => TE.TaskEither<Unavailable | SnapshotExists, void>
  /** The snapshot's refs after `after`, in order, at most `limit` of them; empty past the last. */
  readonly refs: (
    accountId: AccountId,
    snapshotId: SnapshotId,
    after: O.Option<ObjectId>,
    limit: number,
  ) => TE.TaskEither<Unavailable, Uint8Array>
  /** Forgets the record and its refs; false when there was none. Its objects stay until the collector. */
  readonly remove: (accountId: AccountId, snapshotId: SnapshotId) => TE.TaskEither<Unavailable, boolean>
  readonly count: (accountId: AccountId) => TE.TaskEither<Unavailable, number>
}

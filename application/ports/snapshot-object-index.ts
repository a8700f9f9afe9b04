import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type {
  ObjectId,
  ObjectLocation,
  PackEntry,
  PackId,
  SnapshotPack,
  SnapshotStats,
} from '../../domain/snapshot'
import type { PackExists } from '../../domain/snapshot-errors'
import type { Unavailable } from '../errors'

/** What indexing a pack added: the objects the account did not hold yet, and their bytes. */
export type IndexedPack = Readonly<{ newObjects: number; newBytes: number }>

/** Of some refs, those the account does not hold: the first few, and how many in all. */
export type MissingRefs = Readonly<{ ids: ReadonlyArray<ObjectId>; count: number }>

/**
 * The account's packs and its object index: keyed object id → (pack, offset, length, claim time). An id is
 * indexed once (a duplicate in a later pack keeps its first location); its claim time protects it from the
 * collector for the grace period. Account-scoped (row-level security), handed out inside a UnitOfWork: another
 * account's ids are simply absent. Checks no quota (the use case does, with the QuotaLedger).
 * Implementations: adapters/persistence/knex/knex-snapshot-object-index.ts, adapters/in-memory.
 * Contract: test/contracts/snapshot-object-index.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type SnapshotObjectIndex = {
  readonly findPack: (
    accountId: AccountId,
    packId: PackId,
  ) => TE.TaskEither<Unavailable, O.Option<SnapshotPack>>
  /**
   * Records the pack and indexes each entry the account does not hold yet; the claim time of every entry's id,
   * new or not, becomes `claimedAt`. Left(PackExists) when the pack id is taken.
   */
  readonly insertPack: (
    pack: SnapshotPack,
    entries: ReadonlyArray<PackEntry>,
    claimedAt: Date,
  ) => TE.TaskEither<Unavailable | PackExists, IndexedPack>
  /** Those of `ids` the account holds, in the order asked; their claim time becomes `at`. */
  readonly claim: (
    accountId: AccountId,
    ids: ReadonlyArray<ObjectId>,
    at: Date,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<ObjectId>>
  /** Where the held ones of `ids` lie, in no particular order; the others are left out. */
  readonly locate: (
    accountId: AccountId,
    ids: ReadonlyArray<ObjectId>,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<ObjectLocation>>
  /** Of `refs` (32-byte ids, sorted, unique), those the account does not hold: the first `limit` and the count. */
  readonly missing: (
    accountId: AccountId,
    refs: Uint8Array,
    limit: number,
  ) => TE.TaskEither<Unavailable, MissingRefs>
  readonly stats: (accountId: AccountId) => TE.TaskEither<Unavailable, Omit<SnapshotStats, 'snapshots'>>
  /**
   * The collector's first step: removes up to `limit` indexed objects that no snapshot references and whose
   * claim time is before `cutoff`; returns how many went.
   */
  readonly collectObjects: (
    accountId: AccountId,
    cutoff: Date,
    limit: number,
  ) => TE.TaskEither<Unavailable, number>
  /** The collector's second step: removes up to `limit` packs with no indexed object left and returns them. */
  readonly removeEmptyPacks: (
    accountId: AccountId,
    limit: number,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<SnapshotPack>>
}

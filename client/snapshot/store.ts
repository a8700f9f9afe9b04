/**
 * The snapshot engine's transport: what protocol v1.1's HTTP routes offer, as a port. Implementations: the
 * in-memory twin here (tests), and the HTTP adapter of the SDK (a later wave), both held to the same behaviour.
 * All methods are lazy and never reject: failures arrive as Left. The one exception is the iterable that
 * readObjects resolves to, which throws SnapshotFailure if the stream breaks midway.
 */
import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type {
  ObjectsMissing,
  PackExists,
  QuotaExceeded,
  SnapshotExists,
  SnapshotKeyExists,
  StoreUnavailable,
} from './errors'
import type { ObjectId } from './object'
import type { Pack } from './pack'
import type { NewSnapshot, SnapshotId } from './snapshot-record'

/** Most ids per `has` call. */
export const MAX_HAS_IDS = 5000
/** Most ids per `readObjects` call. */
export const MAX_READ_IDS = 1000

/** What the server keeps and returns of a snapshot. */
export type SnapshotRecord = Readonly<{
  snapshotId: SnapshotId
  seriesId: string
  deviceId: string
  /** The server's receive time (ISO-8601 UTC), never a client time. */
  receivedAt: string
  encryptedMetadata: Uint8Array
  signature: Uint8Array
  refCount: number
  /** sha256hex of the sorted refs, as signed. */
  refsSha256: string
}>

export type SnapshotPage = Readonly<{ items: ReadonlyArray<SnapshotRecord>; nextCursor: string | null }>
export type ListSnapshotsQuery = Readonly<{ seriesId?: string; limit?: number; cursor?: string }>
export type StoredObject = Readonly<{ id: ObjectId; bytes: Uint8Array }>
export type StoreStats = Readonly<{ storedBytes: number; objects: number; packs: number; snapshots: number }>

export type SnapshotStore = Readonly<{
  /** The account's wrapped RK; none before the first snapshot. */
  getKey: () => TE.TaskEither<StoreUnavailable, O.Option<Uint8Array>>
  /** Stores the wrapped RK once; the same bytes again succeed; other bytes are SnapshotKeyExists. */
  putKey: (wrapped: Uint8Array) => TE.TaskEither<StoreUnavailable | SnapshotKeyExists, void>
  /** Which of these ids (≤ MAX_HAS_IDS) the account holds. Present ids are protected from GC for the grace period. */
  has: (ids: ReadonlyArray<ObjectId>) => TE.TaskEither<StoreUnavailable, ReadonlySet<ObjectId>>
  /** Stores a pack; the same pack id with the same bytes again succeeds (idempotent). */
  putPack: (pack: Pack) => TE.TaskEither<StoreUnavailable | QuotaExceeded | PackExists, void>
  /** The objects (≤ MAX_READ_IDS ids, repeats allowed) in request order; Left before any byte when one is missing. */
  readObjects: (
    ids: ReadonlyArray<ObjectId>,
  ) => TE.TaskEither<StoreUnavailable | ObjectsMissing, AsyncIterable<StoredObject>>
  /** Creates the snapshot once every ref is stored; the same snapshot again returns the existing record. */
  putSnapshot: (
    snapshot: NewSnapshot,
  ) => TE.TaskEither<StoreUnavailable | ObjectsMissing | SnapshotExists, SnapshotRecord>
  /** Newest first (by receive time), keyset-paginated, optionally one series. */
  listSnapshots: (query: ListSnapshotsQuery) => TE.TaskEither<StoreUnavailable, SnapshotPage>
  getSnapshot: (id: SnapshotId) => TE.TaskEither<StoreUnavailable, O.Option<SnapshotRecord>>
  /** Forgets a snapshot; false when there was none. Its objects become garbage unless another snapshot keeps them. */
  deleteSnapshot: (id: SnapshotId) => TE.TaskEither<StoreUnavailable, boolean>
  stats: () => TE.TaskEither<StoreUnavailable, StoreStats>
}>

import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId, BlobId } from '../../domain/ids'
import type { Unavailable } from '../errors'

/** Inclusive byte range within a blob. */
export type ByteRange = Readonly<{ start: number; end: number }>

/** Names one stored blob across accounts (maintenance listings). */
export type BlobRef = Readonly<{ accountId: AccountId; blobId: BlobId }>

/**
 * Opaque ciphertext, streamed in and out in bounded chunks so no blob is ever held in memory whole.
 * A blob is written once under a fresh id and only becomes reachable when a backup record names it.
 * Implementations: adapters/persistence/knex (chunks in PostgreSQL), adapters/blobs/s3 (S3-compatible object
 * storage), adapters/in-memory.
 * Contract: test/contracts/blob-store.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type BlobStore = {
  /**
   * Consumes `chunks` into a new blob and returns its size. If the iterable throws (client gone, too large),
   * nothing of the blob remains and the error is returned as Left(Unavailable) with that cause.
   */
  readonly write: (
    accountId: AccountId,
    blobId: BlobId,
    chunks: AsyncIterable<Uint8Array>,
  ) => TE.TaskEither<Unavailable, { readonly sizeBytes: number }>
  /** The blob's bytes (the whole or `range`), fetched chunk by chunk as the consumer pulls. */
  readonly read: (accountId: AccountId, blobId: BlobId, range?: ByteRange) => AsyncIterable<Uint8Array>
  readonly delete: (accountId: AccountId, blobId: BlobId) => TE.TaskEither<Unavailable, void>
  readonly deleteAccount: (accountId: AccountId) => TE.TaskEither<Unavailable, void>
  /**
   * Blobs of every account stored at or before `cutoff`, in (accountId, blobId) order, strictly after `after`,
   * at most `limit`; fewer than `limit` means the listing is over. Maintenance only (garbage collection).
   * A blob's age may count from when its write began (PostgreSQL, memory) or from when the store made it
   * visible (object storage), so callers leave a grace period longer than any upload.
   */
  readonly listOlderThan: (
    cutoff: Date,
    after: O.Option<BlobRef>,
    limit: number,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<BlobRef>>
}

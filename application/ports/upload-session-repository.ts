import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type {
  UploadId,
  UploadNotFound,
  UploadOffsetConflict,
  UploadPart,
  UploadRef,
  UploadSession,
} from '../../domain/upload-session'
import type { Unavailable } from '../errors'

/**
 * Durable resumable-upload sessions and their parts, scoped to one account (row-level security in
 * PostgreSQL). A session's declared length is reserved against the account's quota while it exists
 * (QuotaLedger.usage counts it); creating one is checked against the quota by the use case.
 * Implementations: adapters/persistence/knex, adapters/in-memory.
 * Contract: test/contracts/upload-session-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type UploadSessionRepository = {
  readonly create: (session: UploadSession) => TE.TaskEither<Unavailable, void>
  /** `none` for an unknown id and for another account's session alike. */
  readonly find: (
    accountId: AccountId,
    uploadId: UploadId,
  ) => TE.TaskEither<Unavailable, O.Option<UploadSession>>
  /** The session's parts in upload order (empty for an unknown session). */
  readonly parts: (
    accountId: AccountId,
    uploadId: UploadId,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<UploadPart>>
  /**
   * Appends `part` and advances the offset by its size, only if the stored offset is still `expectedOffset`
   * (compare-and-set: the per-upload lock that holds across instances). Left(UploadOffsetConflict) carrying
   * the stored offset otherwise, or when the part would pass the declared length; Left(UploadNotFound) when the
   * session is gone (terminated or expired meanwhile). Returns the new offset.
   */
  readonly appendPart: (
    accountId: AccountId,
    uploadId: UploadId,
    expectedOffset: number,
    part: UploadPart,
  ) => TE.TaskEither<Unavailable | UploadNotFound | UploadOffsetConflict, number>
  /**
   * Deletes the session (releasing its reservation) and returns the parts it had, whose blobs are then the
   * caller's to delete. Removing an unknown session returns no parts.
   */
  readonly remove: (
    accountId: AccountId,
    uploadId: UploadId,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<UploadPart>>
  /** Sessions of every account that expired at or before `cutoff`, at most `limit` (maintenance only). */
  readonly expired: (cutoff: Date, limit: number) => TE.TaskEither<Unavailable, ReadonlyArray<UploadRef>>
}

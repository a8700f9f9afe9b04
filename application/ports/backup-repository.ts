import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { Backup, WrappedKey } from '../../domain/backup'
import type { BackupExists, RotationIncomplete, RotationUnknownBackups } from '../../domain/errors'
import type { AccountId, BackupId, BlobId, DeviceId } from '../../domain/ids'
import type { Cursor } from '../../domain/pagination'
import type { Unavailable } from '../errors'
import type { BlobRef } from './blob-store'

export type BackupQuery = Readonly<{
  limit: number
  cursor: O.Option<Cursor>
  deviceId: O.Option<DeviceId>
  trash: boolean
}>

/** A backup's data key wrapped under a new UMK. */
export type RewrappedKey = Readonly<{ backupId: BackupId; wrappedKey: WrappedKey }>

export type PurgeCandidate = Readonly<{ accountId: AccountId; backupId: BackupId; blobId: BlobId }>

/**
 * Durable backup records, always scoped to one account (row-level security in PostgreSQL). Checks no quota:
 * the use cases do, with the QuotaLedger, in the UnitOfWork transaction that writes.
 * Implementations: adapters/persistence/knex, adapters/in-memory.
 * Contract: test/contracts/backup-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type BackupRepository = {
  /** `none` for an unknown id and for another account's backup alike. */
  readonly find: (accountId: AccountId, backupId: BackupId) => TE.TaskEither<Unavailable, O.Option<Backup>>
  /** Those of `backupIds` the account stores (live or trashed), in no particular order; one read. */
  readonly findMany: (
    accountId: AccountId,
    backupIds: ReadonlyArray<BackupId>,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<Backup>>
  /** Newest first by (createdAt, backupId); returns up to `limit + 1` rows so the caller can tell a next page. */
  readonly list: (
    accountId: AccountId,
    query: BackupQuery,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<Backup>>
  /** Makes the backup visible. Left(BackupExists) when the id is already taken in this account. */
  readonly insert: (backup: Backup) => TE.TaskEither<Unavailable | BackupExists, void>
  /** Stores the trash state (`deletedAt`) of an existing backup. */
  readonly setDeletedAt: (
    accountId: AccountId,
    backupId: BackupId,
    deletedAt: O.Option<Date>,
  ) => TE.TaskEither<Unavailable, void>
  /**
   * Stores each named backup's new wrapped key, stamped `keyVersion`, if the names cover every live backup of the
   * account and name nothing it does not store (trashed ones may be named); otherwise a Left and no change.
   * A key rotation runs it under QuotaLedger.lock, with the key bundle's save, in one transaction.
   */
  readonly rewrapKeys: (
    accountId: AccountId,
    keyVersion: number,
    wrappedKeys: ReadonlyArray<RewrappedKey>,
  ) => TE.TaskEither<Unavailable | RotationIncomplete | RotationUnknownBackups, void>
  /** Trashed backups of any account deleted at or before `cutoff`, oldest first (maintenance only). */
  readonly dueForPurge: (
    cutoff: Date,
    limit: number,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<PurgeCandidate>>
  /** Those of `blobs` that a backup record of their account names, live or trashed (maintenance only). */
  readonly referencedBlobs: (
    blobs: ReadonlyArray<BlobRef>,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<BlobRef>>
  /** Removes the record; its blob is then the caller's to delete. */
  readonly remove: (accountId: AccountId, backupId: BackupId) => TE.TaskEither<Unavailable, void>
}

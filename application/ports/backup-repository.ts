import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { KeyBundle } from '../../domain/account'
import type { Backup, WrappedKey } from '../../domain/backup'
import type {
  BackupExists,
  QuotaExceeded,
  RotationIncomplete,
  RotationUnknownBackups,
  VersionMismatch,
} from '../../domain/errors'
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

export type KeyRotation = Readonly<{
  expectedVersion: number
  keyBundle: KeyBundle
  wrappedKeys: ReadonlyArray<Readonly<{ backupId: BackupId; wrappedKey: WrappedKey }>>
}>

export type PurgeCandidate = Readonly<{ accountId: AccountId; backupId: BackupId; blobId: BlobId }>

/**
 * Durable backup records, always scoped to one account (row-level security in PostgreSQL).
 * Implementations: adapters/persistence/knex, adapters/in-memory.
 * Contract: test/contracts/backup-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type BackupRepository = {
  /** `none` for an unknown id and for another account's backup alike. */
  readonly find: (accountId: AccountId, backupId: BackupId) => TE.TaskEither<Unavailable, O.Option<Backup>>
  /** Newest first by (createdAt, backupId); returns up to `limit + 1` rows so the caller can tell a next page. */
  readonly list: (
    accountId: AccountId,
    query: BackupQuery,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<Backup>>
  /** Bytes the account stores: live and trashed backups. */
  readonly usedBytes: (accountId: AccountId) => TE.TaskEither<Unavailable, number>
  /**
   * Makes the backup visible, atomically re-checking the quota against `limitBytes` under a per-account lock;
   * the bytes open resumable uploads reserve count as taken, except those of the upload this backup completes.
   * Left(BackupExists) when the id is already taken in this account.
   */
  readonly commit: (
    backup: Backup,
    limitBytes: number,
  ) => TE.TaskEither<Unavailable | BackupExists | QuotaExceeded, void>
  /** Stores the trash state (`deletedAt`) of an existing backup. */
  readonly setDeletedAt: (
    accountId: AccountId,
    backupId: BackupId,
    deletedAt: O.Option<Date>,
  ) => TE.TaskEither<Unavailable, void>
  /**
   * Replaces the key bundle and every named backup's wrapped key in one transaction, or changes nothing.
   * Returns the new key bundle version.
   */
  readonly rotateKeys: (
    accountId: AccountId,
    rotation: KeyRotation,
  ) => TE.TaskEither<Unavailable | VersionMismatch | RotationIncomplete | RotationUnknownBackups, number>
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

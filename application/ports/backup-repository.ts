import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { Account, KeyBundle } from '../../domain/account'
import type { AuditDraft, AuditEvent } from '../../domain/audit'
import type { Backup, WrappedKey } from '../../domain/backup'
import type { Device } from '../../domain/device'
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

/** What an upload is about to write: its id, the uploading device and the parent it names, if any. */
export type UploadTarget = Readonly<{ deviceId: DeviceId; backupId: BackupId; parentId: O.Option<BackupId> }>

/** Everything an upload checks before it stores a byte, read in one transaction. */
export type UploadPrecheck = Readonly<{
  /** The uploading device, revoked or not; `none` for an unknown id and for another account's device. */
  device: O.Option<Device>
  /** The caller's account; `none` once it is deleted. */
  account: O.Option<Account>
  /** The backup already stored under the upload's id, live or trashed. */
  existing: O.Option<Backup>
  /** Whether the named parent is stored (live or trashed); `true` when none is named. */
  parentFound: boolean
  /** The account's stored bytes, as `usedBytes` counts them. */
  usedBytes: number
}>

/** What an upload's commit records besides the backup, in the same transaction. */
export type UploadRecords = Readonly<{
  /** The time the device was seen (its `lastSeenAt`; its `revokedAt` is left as stored) and the event's. */
  at: Date
  /** Appended to the account's audit chain, linked under the same account lock as the quota check. */
  event: AuditDraft
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
  /** Reads what an upload checks before streaming (device, account, the id, the parent, used bytes) at once. */
  readonly precheckUpload: (
    accountId: AccountId,
    target: UploadTarget,
  ) => TE.TaskEither<Unavailable, UploadPrecheck>
  /**
   * `commit`, and in the same transaction, all or nothing: the uploading device (`backup.deviceId`) is stamped
   * as seen at `records.at`, and `records.event` is appended to the audit chain. Returns the appended event.
   */
  readonly commitUpload: (
    backup: Backup,
    limitBytes: number,
    records: UploadRecords,
  ) => TE.TaskEither<Unavailable | BackupExists | QuotaExceeded, AuditEvent>
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

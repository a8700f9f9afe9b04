import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import type { Backup } from '../../domain/backup'
import { EncryptedMetadata, WrappedKey } from '../../domain/backup'
import { KeyBundle as KeyBundleCodec } from '../../domain/account'
import type {
  BackupExists,
  BackupNotFound,
  BadSignature,
  ContentHashMismatch,
  ContentLengthMismatch,
  DeviceNotFound,
  DeviceRevoked,
  InvalidCursor,
  NotInTrash,
  ParentNotFound,
  QuotaExceeded,
  RangeNotSatisfiable,
  RotationIncomplete,
  RotationUnknownBackups,
  UploadTooLarge,
  VersionMismatch,
} from '../../domain/errors'
import { BackupId, ByteCount, DeviceId, Ed25519Signature, Sha256Hex } from '../../domain/ids'
import type { Page } from '../../domain/pagination'
import type { ByteRange } from '../ports/blob-store'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import { PageLimit, Version } from './codecs'

// ---- upload-backup.ts
export const UploadBackupInput = t.exact(
  t.intersection([
    t.type({
      backupId: BackupId,
      deviceId: DeviceId,
      contentSha256: Sha256Hex,
      signature: Ed25519Signature,
      wrappedKey: WrappedKey,
      encryptedMetadata: EncryptedMetadata,
    }),
    t.partial({ parentId: BackupId, contentLength: ByteCount }),
  ]),
)
export type UploadBackupInput = t.TypeOf<typeof UploadBackupInput>
export type UploadBackupOutput = Readonly<{ backup: Backup; created: boolean }>
export type UploadBackupError =
  | DeviceNotFound
  | DeviceRevoked
  | ParentNotFound
  | BackupExists
  | ContentHashMismatch
  | ContentLengthMismatch
  | BadSignature
  | QuotaExceeded
  | UploadTooLarge
  | Unavailable
/**
 * Streams `content` into a fresh blob while hashing it, then verifies hash, length and the device's signature
 * over the protocol-v1 signing bytes, re-checks the quota and commits. On any failure the blob is deleted:
 * nothing half-written becomes visible. The same id with the same hash returns the existing record.
 */
export type UploadBackup = (
  input: UploadBackupInput,
  content: AsyncIterable<Uint8Array>,
  caller: Caller,
) => TE.TaskEither<UploadBackupError, UploadBackupOutput>
export type UploadBackupDeps = Pick<
  Ports,
  | 'accounts'
  | 'devices'
  | 'backups'
  | 'blobs'
  | 'signatures'
  | 'hasher'
  | 'audit'
  | 'clock'
  | 'ids'
  | 'settings'
>

// ---- list-backups.ts
export const ListBackupsInput = t.exact(
  t.intersection([
    t.type({ limit: PageLimit, trash: t.boolean }),
    t.partial({ cursor: t.string, deviceId: DeviceId }),
  ]),
)
export type ListBackupsInput = t.TypeOf<typeof ListBackupsInput>
export type ListBackups = (
  input: ListBackupsInput,
  caller: Caller,
) => TE.TaskEither<InvalidCursor | Unavailable, Page<Backup>>
export type ListBackupsDeps = Pick<Ports, 'backups'>

// ---- get-backup.ts
export const BackupRef = t.strict({ backupId: BackupId })
export type BackupRef = t.TypeOf<typeof BackupRef>
export type GetBackup = (
  input: BackupRef,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | Unavailable, Backup>
export type GetBackupDeps = Pick<Ports, 'backups'>

// ---- download-backup.ts
/** `range` is inclusive; an open-ended or suffix range is resolved by the edge against sizeBytes first. */
export type DownloadBackupInput = Readonly<{ backupId: BackupId; range?: ByteRange }>
export type DownloadBackupOutput = Readonly<{
  backup: Backup
  range: ByteRange | null
  content: AsyncIterable<Uint8Array>
}>
/** Trashed backups stay downloadable until purged, so a user can check before restoring. */
export type DownloadBackup = (
  input: DownloadBackupInput,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | RangeNotSatisfiable | Unavailable, DownloadBackupOutput>
export type DownloadBackupDeps = Pick<Ports, 'backups' | 'blobs'>

// ---- trash-backup.ts / restore-backup.ts
/** Moves a live backup to the trash (idempotent); records `backup-deleted`. */
export type TrashBackup = (
  input: BackupRef,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | Unavailable, void>
/** Brings a backup back from the trash; records `backup-restored`. */
export type RestoreBackup = (
  input: BackupRef,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | NotInTrash | Unavailable, Backup>
export type TrashBackupDeps = Pick<Ports, 'backups' | 'audit' | 'clock'>

// ---- rotate-keys.ts
export const RotateKeysInput = t.strict({
  expectedVersion: Version,
  keyBundle: KeyBundleCodec,
  wrappedKeys: t.array(t.strict({ backupId: BackupId, wrappedKey: WrappedKey })),
})
export type RotateKeysInput = t.TypeOf<typeof RotateKeysInput>
/** All-or-nothing re-wrap of every live backup's data key under a new UMK; records `key-rotated`. */
export type RotateKeys = (
  input: RotateKeysInput,
  caller: Caller,
) => TE.TaskEither<
  VersionMismatch | RotationIncomplete | RotationUnknownBackups | Unavailable,
  { readonly keyBundleVersion: number }
>
export type RotateKeysDeps = Pick<Ports, 'backups' | 'audit' | 'clock'>

// ---- purge-expired-trash.ts (maintenance, no caller)
/** Purges trashed backups past the retention window, blob after record; records `backup-purged` for each. */
export type PurgeExpiredTrash = () => TE.TaskEither<Unavailable, { readonly purged: number }>
export type PurgeExpiredTrashDeps = Pick<Ports, 'backups' | 'blobs' | 'audit' | 'clock' | 'settings'>

/**
 * Backups: immutable once committed. The only transitions are trash, restore and purge after the retention
 * window, and re-wrapping the data key during a key rotation.
 * SECURITY: every field but ids, sizes, hashes and times is opaque ciphertext or key material.
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import {
  NotInTrash,
  notInTrash,
  RotationIncomplete,
  rotationIncomplete,
  RotationUnknownBackups,
  rotationUnknownBackups,
} from './errors'
import { AccountId, BackupId, BlobId, boundedBytes, DeviceId, Ed25519Signature, Sha256Hex } from './ids'

/** AES-GCM(BKK, DEK): nonce + 32-byte key + tag, with room for future wrapping formats. */
export const WrappedKey = boundedBytes('WrappedKey', 1, 512)
export type WrappedKey = t.TypeOf<typeof WrappedKey>

/** protocol-v1: encrypted metadata is at most 8 KiB. */
export const EncryptedMetadata = boundedBytes('EncryptedMetadata', 1, 8192)
export type EncryptedMetadata = t.TypeOf<typeof EncryptedMetadata>

export type Backup = Readonly<{
  backupId: BackupId
  accountId: AccountId
  deviceId: DeviceId
  parentId: O.Option<BackupId>
  blobId: BlobId
  sizeBytes: number
  sha256: Sha256Hex
  encryptedMetadata: EncryptedMetadata
  wrappedKey: WrappedKey
  signature: Ed25519Signature
  keyVersion: number
  createdAt: Date
  deletedAt: O.Option<Date>
}>

export const isInTrash = (backup: Backup): boolean => O.isSome(backup.deletedAt)

/** Moving to the trash twice keeps the first time, so the retention window cannot be extended by accident. */
export const moveToTrash = (backup: Backup, at: Date): Backup =>
  isInTrash(backup) ? backup : { ...backup, deletedAt: O.some(at) }

export const restoreFromTrash = (backup: Backup): E.Either<NotInTrash, Backup> =>
  isInTrash(backup) ? E.right({ ...backup, deletedAt: O.none }) : E.left(notInTrash(backup.backupId))

const dayMs = 24 * 60 * 60 * 1000

/** The moment before which trashed backups are due for purge. */
export const purgeCutoff = (now: Date, retentionDays: number): Date =>
  new Date(now.getTime() - retentionDays * dayMs)

export const isDueForPurge = (backup: Backup, now: Date, retentionDays: number): boolean =>
  O.isSome(backup.deletedAt) && backup.deletedAt.value.getTime() <= purgeCutoff(now, retentionDays).getTime()

/** A retried upload is idempotent only when it carries the same content. */
export const isSameContent = (backup: Backup, sha256: Sha256Hex): boolean => backup.sha256 === sha256

/**
 * A rotation must re-wrap the key of every backup, live and trashed, and name no other (all-or-nothing): a
 * trashed backup left under the old key would no longer decrypt once restored.
 */
export const checkRotationCoverage = (
  liveIds: ReadonlyArray<BackupId>,
  trashedIds: ReadonlyArray<BackupId>,
  supplied: ReadonlyArray<BackupId>,
): E.Either<RotationIncomplete | RotationUnknownBackups, void> => {
  const given = new Set<string>(supplied)
  const known = new Set<string>([...liveIds, ...trashedIds])
  const missing = [...liveIds, ...trashedIds].filter((id) => !given.has(id))
  if (missing.length > 0) return E.left(rotationIncomplete(missing))
  const unknown = supplied.filter((id) => !known.has(id))
  return unknown.length > 0 ? E.left(rotationUnknownBackups(unknown)) : E.right(undefined)
}

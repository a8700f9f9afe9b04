/**
 * Knows the shape of zkeb.backups rows, both ways. Decoding is on the hottest path (every list row, every
 * fetch), so it checks with the codecs' type guards first and falls back to io-ts only for a row they refuse.
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import type { Unavailable } from '../../../application/errors'
import { type Backup, EncryptedMetadata, WrappedKey } from '../../../domain/backup'
import {
  AccountId,
  BackupId,
  BlobId,
  ByteCount,
  DeviceId,
  Ed25519Signature,
  Sha256Hex,
} from '../../../domain/ids'
import { Bytea, bytes, decodeWith, Nullable, PgDate } from './row-codecs'

/** The row an insert writes. */
export const backupRow = (b: Backup) => ({
  account_id: b.accountId,
  backup_id: b.backupId,
  device_id: b.deviceId,
  parent_id: O.toNullable(b.parentId),
  blob_id: b.blobId,
  size_bytes: b.sizeBytes,
  sha256: b.sha256,
  encrypted_metadata: bytes(b.encryptedMetadata),
  wrapped_key: bytes(b.wrappedKey),
  signature: bytes(b.signature),
  key_version: b.keyVersion,
  created_at: b.createdAt,
  deleted_at: O.toNullable(b.deletedAt),
})

const decodeBackupWithPaths = decodeWith(
  t.type({
    account_id: AccountId,
    backup_id: BackupId,
    device_id: DeviceId,
    parent_id: Nullable(BackupId),
    blob_id: BlobId,
    size_bytes: ByteCount,
    sha256: Sha256Hex,
    encrypted_metadata: Bytea(EncryptedMetadata),
    wrapped_key: Bytea(WrappedKey),
    signature: Bytea(Ed25519Signature),
    key_version: t.Int,
    created_at: PgDate,
    deleted_at: Nullable(PgDate),
  }),
  (r): Backup => ({
    backupId: r.backup_id,
    accountId: r.account_id,
    deviceId: r.device_id,
    parentId: r.parent_id,
    blobId: r.blob_id,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    encryptedMetadata: r.encrypted_metadata,
    wrappedKey: r.wrapped_key,
    signature: r.signature,
    keyVersion: r.key_version,
    createdAt: r.created_at,
    deletedAt: r.deleted_at,
  }),
)

/** bytea as base64url when `codec` accepts it (what Bytea(codec) decodes to), else undefined. */
const byteaAs = <A extends string>(codec: t.Type<A, string, unknown>, u: unknown): A | undefined => {
  if (!Buffer.isBuffer(u)) return undefined
  const s = u.toString('base64url')
  return codec.is(s) ? s : undefined
}

/** SQL NULL as `none`, a value `codec` accepts as `some`, anything else undefined (Nullable's decode). */
const nullableAs = <A>(is: (u: unknown) => u is A, u: unknown): O.Option<A> | undefined =>
  u === null ? O.none : is(u) ? O.some(u) : undefined

/**
 * The row of the hottest reads (every list row, every fetch), decoded with the same codecs' type guards
 * (`is`) instead of io-ts's decode, which builds a context and an Either per field. A row any guard refuses
 * is decoded again by the io-ts codec, so what it reports (the field paths) is exactly as before.
 */
const backupFromRow = (row: unknown): Backup | undefined => {
  if (!t.UnknownRecord.is(row)) return undefined
  const r = row
  const parentId = nullableAs(BackupId.is, r['parent_id'])
  const deletedAt = nullableAs(PgDate.is, r['deleted_at'])
  const encryptedMetadata = byteaAs(EncryptedMetadata, r['encrypted_metadata'])
  const wrappedKey = byteaAs(WrappedKey, r['wrapped_key'])
  const signature = byteaAs(Ed25519Signature, r['signature'])
  const [accountId, backupId, deviceId, blobId] = [
    r['account_id'],
    r['backup_id'],
    r['device_id'],
    r['blob_id'],
  ]
  const [sizeBytes, sha256, keyVersion, createdAt] = [
    r['size_bytes'],
    r['sha256'],
    r['key_version'],
    r['created_at'],
  ]
  return AccountId.is(accountId) &&
    BackupId.is(backupId) &&
    DeviceId.is(deviceId) &&
    parentId !== undefined &&
    BlobId.is(blobId) &&
    ByteCount.is(sizeBytes) &&
    Sha256Hex.is(sha256) &&
    encryptedMetadata !== undefined &&
    wrappedKey !== undefined &&
    signature !== undefined &&
    t.Int.is(keyVersion) &&
    PgDate.is(createdAt) &&
    deletedAt !== undefined
    ? {
        backupId,
        accountId,
        deviceId,
        parentId,
        blobId,
        sizeBytes,
        sha256,
        encryptedMetadata,
        wrappedKey,
        signature,
        keyVersion,
        createdAt,
        deletedAt,
      }
    : undefined
}

export const decodeBackup = (row: unknown): E.Either<Unavailable, Backup> => {
  const backup = backupFromRow(row)
  return backup === undefined ? decodeBackupWithPaths(row) : E.right(backup)
}

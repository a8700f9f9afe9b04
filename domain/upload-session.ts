/**
 * A resumable upload in progress (tus): the backup it will become, described up front, and the parts that
 * have arrived so far. Its declared length is reserved against the quota from creation until it is
 * committed, terminated or expired, so concurrent uploads cannot together overrun the quota.
 */
import * as t from 'io-ts'
import type * as O from 'fp-ts/Option'
import type { EncryptedMetadata, WrappedKey } from './backup'
import type { AccountId, BackupId, BlobId, DeviceId, Ed25519Signature, Sha256Hex } from './ids'
import { Uuid } from './ids'

export type UploadIdBrand = { readonly UploadId: unique symbol }
export const UploadId = t.brand(Uuid, (_s): _s is t.Branded<Uuid, UploadIdBrand> => true, 'UploadId')
export type UploadId = t.TypeOf<typeof UploadId>

export type UploadSession = Readonly<{
  uploadId: UploadId
  accountId: AccountId
  deviceId: DeviceId
  backupId: BackupId
  parentId: O.Option<BackupId>
  /** The whole upload's length (tus Upload-Length), reserved against the quota. */
  lengthBytes: number
  /** Bytes received and durably stored as parts (tus Upload-Offset). */
  offsetBytes: number
  contentSha256: Sha256Hex
  signature: Ed25519Signature
  wrappedKey: WrappedKey
  encryptedMetadata: EncryptedMetadata
  createdAt: Date
  /** Fixed at creation (tus Upload-Expires); after it the session and its parts are collected. */
  expiresAt: Date
}>

/** One PATCH's bytes, stored as a blob of its own; the upload's content is its parts in order. */
export type UploadPart = Readonly<{ blobId: BlobId; sizeBytes: number }>

/** Names one session across accounts (maintenance listings). */
export type UploadRef = Readonly<{ accountId: AccountId; uploadId: UploadId }>

export const isExpired = (session: UploadSession, now: Date): boolean =>
  now.getTime() > session.expiresAt.getTime()

export type UploadNotFound = { readonly _tag: 'UploadNotFound' }
/** The client's offset is not the stored one (tus 409): another request appended first, or it is stale. */
export type UploadOffsetConflict = { readonly _tag: 'UploadOffsetConflict'; readonly offsetBytes: number }
/** A part's `Upload-Checksum` did not match what arrived (tus 460); the part was discarded. */
export type UploadChecksumMismatch = { readonly _tag: 'UploadChecksumMismatch' }

export const uploadNotFound: UploadNotFound = { _tag: 'UploadNotFound' }
export const uploadOffsetConflict = (offsetBytes: number): UploadOffsetConflict => ({
  _tag: 'UploadOffsetConflict',
  offsetBytes,
})
export const uploadChecksumMismatch: UploadChecksumMismatch = { _tag: 'UploadChecksumMismatch' }

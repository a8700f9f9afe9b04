/** What a one-shot upload takes, answers and needs: shared by its steps (precheck, store, commit) and tus. */
import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import { type Backup, EncryptedMetadata, WrappedKey } from '../../domain/backup'
import type { Device } from '../../domain/device'
import type {
  BackupExists,
  BadSignature,
  ContentHashMismatch,
  ContentLengthMismatch,
  DeviceNotFound,
  DeviceRevoked,
  ParentNotFound,
  QuotaExceeded,
  UploadTooLarge,
} from '../../domain/errors'
import { BackupId, ByteCount, DeviceId, Ed25519Signature, Sha256Hex } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

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
  'unitOfWork' | 'blobs' | 'signatures' | 'hasher' | 'clock' | 'ids' | 'settings'
>

/** What the checks before streaming established, and who asked (for the audit event of the commit). */
export type UploadContext = Readonly<{ account: Account; device: Device; requestId: string }>

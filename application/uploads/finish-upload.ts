import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId, ByteCount } from '../../domain/ids'
import type { UploadPart, UploadSession } from '../../domain/upload-session'
import type { Caller } from '../context'
import type { BlobStore } from '../ports/blob-store'
import { uploadBackup } from '../backups/upload-backup'
import type {
  UploadBackupDeps,
  UploadBackupError,
  UploadBackupInput,
  UploadBackupOutput,
} from '../backups/upload-input'

/**
 * Turns a complete upload into a backup through exactly the one-shot upload's path: the parts, read in order
 * one chunk at a time, stream into a fresh blob while hashed; then length, hash, the device's signature, the
 * device (still active), the parent and the quota are checked and the record committed in one transaction.
 * The parts stay untouched; the caller discards them once this succeeded or failed for good.
 */
export type FinishUpload = (
  session: UploadSession,
  parts: ReadonlyArray<UploadPart>,
  caller: Caller,
) => TE.TaskEither<UploadBackupError, UploadBackupOutput>
export type FinishUploadDeps = UploadBackupDeps

async function* concatenated(
  blobs: BlobStore,
  accountId: AccountId,
  parts: ReadonlyArray<UploadPart>,
): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield* blobs.read(accountId, part.blobId)
}

const inputOf = (session: UploadSession): UploadBackupInput => ({
  backupId: session.backupId,
  deviceId: session.deviceId,
  contentSha256: session.contentSha256,
  signature: session.signature,
  wrappedKey: session.wrappedKey,
  encryptedMetadata: session.encryptedMetadata,
  ...(O.isSome(session.parentId) ? { parentId: session.parentId.value } : {}),
  contentLength: session.lengthBytes as ByteCount,
})

export const finishUpload =
  (deps: FinishUploadDeps): FinishUpload =>
  (session, parts, caller) =>
    uploadBackup(deps)(inputOf(session), concatenated(deps.blobs, session.accountId, parts), caller)

/**
 * The streaming half of an upload: content into a fresh blob, then verification and commit.
 * SECURITY: the blob is unreachable until the commit names it, and deleted on every failure, so a
 * half-written, unverified or over-quota upload leaves nothing behind.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Backup } from '../../domain/backup'
import { decodeBase64Url } from '../../domain/base64url'
import { badSignature, contentHashMismatch } from '../../domain/errors'
import type { BlobId } from '../../domain/ids'
import { uploadSigningBytes } from '../../domain/upload-signing'
import { commitBackup } from './commit-backup'
import { type MeteredWrite, writeMetered } from './metered-content'
import type {
  UploadBackupDeps,
  UploadBackupError,
  UploadBackupInput,
  UploadBackupOutput,
  UploadContext,
} from './upload-input'

type Written = MeteredWrite

/** Hash, then the device's signature over exactly what arrived (the length was checked while writing). */
const verify = (
  deps: UploadBackupDeps,
  input: UploadBackupInput,
  ctx: UploadContext,
  written: Written,
): E.Either<UploadBackupError, Written> => {
  if (written.sha256 !== input.contentSha256) return E.left(contentHashMismatch)
  const signed = uploadSigningBytes({
    backupId: input.backupId,
    contentSha256: written.sha256,
    sizeBytes: written.sizeBytes,
    metadataSha256: deps.hasher.sha256Hex(decodeBase64Url(input.encryptedMetadata)),
    parentId: O.fromNullable(input.parentId),
  })
  return deps.signatures.verifyEd25519(ctx.device.publicKey, signed, input.signature)
    ? E.right(written)
    : E.left(badSignature)
}

const toBackup = (
  deps: UploadBackupDeps,
  input: UploadBackupInput,
  ctx: UploadContext,
  blobId: BlobId,
  written: Written,
): Backup => ({
  backupId: input.backupId,
  accountId: ctx.account.accountId,
  deviceId: ctx.device.deviceId,
  parentId: O.fromNullable(input.parentId),
  blobId,
  sizeBytes: written.sizeBytes,
  sha256: written.sha256,
  encryptedMetadata: input.encryptedMetadata,
  wrappedKey: input.wrappedKey,
  signature: input.signature,
  keyVersion: ctx.account.keyBundleVersion,
  createdAt: deps.clock.now(),
  deletedAt: O.none,
})

/** Writes, verifies and commits; the blob survives only if the commit made a new backup of it. */
export const storeBackup = (
  deps: UploadBackupDeps,
  input: UploadBackupInput,
  content: AsyncIterable<Uint8Array>,
  ctx: UploadContext,
): TE.TaskEither<UploadBackupError, UploadBackupOutput> => {
  const blobId = deps.ids.uuid() as BlobId
  return pipe(
    writeMetered(deps, { accountId: ctx.account.accountId, blobId }, content, input.contentLength),
    TE.flatMapEither((written) => verify(deps, input, ctx, written)),
    TE.flatMap((written) => commitBackup(deps, toBackup(deps, input, ctx, blobId, written), ctx)),
    (stored) => async () => {
      const result = await stored()
      if (E.isLeft(result) || !result.right.created) {
        // Best effort: the original failure is what the caller needs to see.
        await deps.blobs.delete(ctx.account.accountId, blobId)()
      }
      return result
    },
  )
}

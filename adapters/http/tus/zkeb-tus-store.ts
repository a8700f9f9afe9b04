/**
 * Knows how @tus/server's DataStore maps onto the resumable-upload use cases: creation reserves the quota and
 * stores a durable session, HEAD reads it, each PATCH becomes one part (and the last one finishes the
 * backup), DELETE terminates, and the expiry sweep collects. Nothing is kept in this process: a restarted or
 * different instance continues any upload. The ZKEB upload description travels as Upload-Metadata.
 */
import type stream from 'node:stream'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import { DataStore, ERRORS, Upload } from '@tus/server'
import { CreateUploadInput } from '../../../application/uploads'
import type { UseCases } from '../../../application/zkeb'
import type { UploadSession } from '../../../domain/upload-session'
import { UploadId, uploadNotFound } from '../../../domain/upload-session'
import { decodeExact } from '../decode'
import type { HttpLogger } from '../http-types'
import { invalidMetadata, TusFailure, tusFailure, tusHttpError, type UploadFailure } from './tus-errors'
import { currentTusRequest } from './tus-request'

/** Upload-Metadata key of each creation field (api-v1's header names, without the ZKEB- prefix). */
export const uploadMetadataKeys: Readonly<Record<string, string>> = {
  backupId: 'backupId',
  deviceId: 'deviceId',
  contentSha256: 'sha256',
  signature: 'signature',
  wrappedKey: 'wrappedKey',
  encryptedMetadata: 'metadata',
  parentId: 'parentId',
  lengthBytes: 'Upload-Length',
}

export type TusStoreDeps = Readonly<{
  useCases: UseCases
  logger: HttpLogger
  uploadExpirySeconds: number
}>

const toUpload = (s: UploadSession): Upload =>
  new Upload({
    id: s.uploadId,
    size: s.lengthBytes,
    offset: s.offsetBytes,
    creation_date: s.createdAt.toISOString(),
  })

export class ZkebTusStore extends DataStore {
  constructor(private readonly deps: TusStoreDeps) {
    super()
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration', 'checksum']
  }

  /** Runs a use case for the current request; a Left is thrown the way @tus/server answers it. */
  private async run<E extends UploadFailure, A>(task: TE.TaskEither<E, A>): Promise<A> {
    const result = await task()
    if (E.isRight(result)) return result.right
    const request = currentTusRequest()
    const failure = tusFailure(this.deps.logger, request.caller.requestId, result.left)
    request.errorCode = tusHttpError(result.left).code
    throw failure
  }

  private uploadIdOf(id: string): UploadId {
    const decoded = UploadId.decode(id)
    if (E.isLeft(decoded))
      throw tusFailure(this.deps.logger, currentTusRequest().caller.requestId, uploadNotFound)
    return decoded.right
  }

  override async create(upload: Upload): Promise<Upload> {
    const { caller } = currentTusRequest()
    const metadata = upload.metadata ?? {}
    const candidate = Object.fromEntries(
      Object.entries(uploadMetadataKeys)
        .map(([field, key]) => [field, field === 'lengthBytes' ? upload.size : metadata[key]] as const)
        .filter(([, value]) => value !== undefined && value !== null && value !== ''),
    )
    const input = decodeExact(CreateUploadInput, candidate)
    if (E.isLeft(input))
      throw invalidMetadata(
        input.left.map((path) => uploadMetadataKeys[path] ?? path),
        caller.requestId,
      )
    if (input.right.lengthBytes === 0) throw invalidMetadata(['Upload-Length'], caller.requestId)
    const session = await this.run(this.deps.useCases.createUpload(input.right, caller))
    // @tus/server names the upload in Location from this object: the session's id is the one that counts.
    upload.id = session.uploadId
    upload.creation_date = session.createdAt.toISOString()
    return upload
  }

  /**
   * The caller's live upload; within the request that completed it, the completed upload (offset = length),
   * which @tus/server reads back after a creation that carried the whole file.
   */
  override async getUpload(id: string): Promise<Upload> {
    const { caller, completed } = currentTusRequest()
    if (completed?.uploadId === id)
      return new Upload({ id, size: completed.lengthBytes, offset: completed.lengthBytes })
    return toUpload(await this.run(this.deps.useCases.findUpload(this.uploadIdOf(id), caller)))
  }

  /**
   * Returns the offset after what arrived, also when the client stopped sending early. A blob store that fails
   * mid-body stops reading without destroying `body`: @tus/server would take that for a client abort (400)
   * and hide the store's own answer (503, or 507 for a full disk).
   */
  override async write(body: stream.Readable, id: string, offset: number): Promise<number> {
    const request = currentTusRequest()
    const input = { uploadId: this.uploadIdOf(id), offsetBytes: offset, checksum: request.checksum }
    const content = body.iterator({ destroyOnReturn: false })
    const out = await this.run(this.deps.useCases.appendUpload(input, content, request.caller))
    if (O.isSome(out.backup)) request.completed = { uploadId: id, lengthBytes: out.offsetBytes }
    return out.offsetBytes
  }

  override async remove(id: string): Promise<void> {
    const { caller } = currentTusRequest()
    await this.run(this.deps.useCases.terminateUpload(this.uploadIdOf(id), caller))
  }

  /** Unreachable: without the creation-defer-length extension @tus/server refuses deferred lengths first. */
  override declareUploadLength(): Promise<void> {
    const { status_code, body } = ERRORS.UNSUPPORTED_CREATION_DEFER_LENGTH_EXTENSION
    return Promise.reject(new TusFailure(status_code, body))
  }

  /** The maintenance schedule collects expired uploads (expireUploads); @tus/server's own sweep is unused. */
  override deleteExpired(): Promise<number> {
    return Promise.resolve(0)
  }

  override getExpiration(): number {
    return this.deps.uploadExpirySeconds * 1000
  }
}

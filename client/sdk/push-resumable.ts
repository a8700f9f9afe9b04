/**
 * Knows how a large backup is pushed resumably (tus at /api/v1/uploads): prepared and signed as `push` does,
 * then created as an upload whose length is reserved on the server, and sent in parts. What a resumption
 * needs is saved through `store` before the first byte: the upload's path, the backup id, the nonce prefix and
 * the signed description, including the DEK wrapped under the BKK (never the DEK itself). A later run with the
 * same source asks the server for the offset (HEAD), unwraps the DEK with the BKK it logs in with, re-encrypts
 * the same ciphertext deterministically, skips what the server has, and sends the rest. Memory stays at one
 * segment.
 */
import * as E from 'fp-ts/Either'
import { unwrapDek } from '../crypto'
import type { BackupId } from '../../domain/ids'
import { b64, fromB64 } from './encoding'
import { attempt, badResponse, fail, keysUnreadable, type SdkError } from './errors'
import { ciphertextOf, prepareUpload, type PushInput } from './push'
import type { Session } from './session'
import { toReadableStream } from './streams'
import type { BackupSummary } from './wire'

/** What a resumption needs; none of it opens anything without the account's keys. */
export type ResumableUpload = Readonly<{
  uploadPath: string
  backupId: string
  noncePrefix: string
  sizeBytes: number
  contentSha256: string
  signature: string
  wrappedKey: string
  encryptedMetadata: string
  parentId?: string
}>

export type ResumeStore = Readonly<{
  load: () => Promise<ResumableUpload | undefined>
  save: (upload: ResumableUpload) => Promise<void>
  clear: () => Promise<void>
}>

export type ResumablePushInput = PushInput &
  Readonly<{
    store: ResumeStore
    /** Bytes per PATCH (default 16 MiB): what a cut connection can cost at most. */
    partBytes?: number
  }>

const defaultPartBytes = 16 * 1024 * 1024

/** Prepares, signs and creates the upload; saved before any content is sent. */
const begin = async (session: Session, input: ResumablePushInput): Promise<ResumableUpload> => {
  const prepared = await prepareUpload(session, input)
  prepared.dek.fill(0)
  const { noncePrefix, measured } = prepared
  const described = { backupId: prepared.backupId, ...prepared.described }
  const uploadPath = await session.http.createUpload(measured.sizeBytes, described)
  const { deviceId: _, ...kept } = described
  const upload = { ...kept, uploadPath, noncePrefix: b64(noncePrefix), sizeBytes: measured.sizeBytes }
  await input.store.save(upload)
  return upload
}

/** The ciphertext from `offset` on, cut into parts of at most `partBytes`, each read as its PATCH sends it. */
const partsFrom = (source: AsyncIterable<Uint8Array>, offset: number) => {
  const iterator = source[Symbol.asyncIterator]()
  let skip = offset
  let carry: Uint8Array | undefined
  const next = async (): Promise<Uint8Array | undefined> => {
    for (;;) {
      let chunk = carry
      carry = undefined
      if (chunk === undefined) {
        const read: IteratorResult<Uint8Array, unknown> = await iterator.next()
        if (read.done === true) return undefined
        chunk = read.value
      }
      if (skip < chunk.length) {
        const rest = chunk.subarray(skip)
        skip = 0
        return rest
      }
      skip -= chunk.length
    }
  }
  return async function* part(bytes: number): AsyncGenerator<Uint8Array> {
    for (let left = bytes; left > 0;) {
      const chunk = await next()
      if (chunk === undefined) return
      if (chunk.length > left) carry = chunk.subarray(left)
      const sent = chunk.subarray(0, left)
      left -= sent.length
      yield sent
    }
  }
}

/**
 * A part's body for the transport, which calls the factory again to retry: a part read once cannot be
 * replayed, so a retry fails and the next run resumes from the server's offset instead.
 */
const once = (body: AsyncIterable<Uint8Array>) => {
  let used = false
  return (): ReadableStream<Uint8Array> => {
    if (!used) return ((used = true), toReadableStream(body))
    return new ReadableStream({ start: (c) => c.error(new Error('a part cannot be replayed')) })
  }
}

/** Encrypts, signs and uploads one backup resumably; resolves to the stored backup's summary. */
export const pushResumable = (
  session: Session,
  input: ResumablePushInput,
): Promise<E.Either<SdkError, BackupSummary>> =>
  attempt(async () => {
    const saved = await input.store.load()
    let offset = saved === undefined ? undefined : await session.http.uploadOffset(saved.uploadPath)
    if (saved !== undefined && offset === undefined) {
      // Gone: finished by a run that died before clearing, or expired. A finished one is the backup itself.
      const stored = await session.http.getBackup(saved.backupId).catch(() => undefined)
      await input.store.clear()
      if (stored?.sha256 === saved.contentSha256) return stored
    }
    const upload = offset === undefined ? await begin(session, input) : saved!
    offset ??= 0
    const backupId = upload.backupId as BackupId
    const dek = await unwrapDek(session.keys.bkk, fromB64(upload.wrappedKey, 'wrappedKey'), backupId)
    if (E.isLeft(dek)) return fail(keysUnreadable('dek'))
    const source = ciphertextOf(
      dek.right,
      backupId,
      fromB64(upload.noncePrefix, 'noncePrefix'),
      input.source(),
    )
    const part = partsFrom(source, offset)
    const partBytes = input.partBytes ?? defaultPartBytes
    try {
      while (offset < upload.sizeBytes) {
        const size = Math.min(partBytes, upload.sizeBytes - offset)
        const stored = await session.http.patchUpload(upload.uploadPath, offset, once(part(size)))
        if (stored !== offset + size) return fail(badResponse(204, 'the server stored another offset'))
        offset = stored
        input.onProgress?.({ phase: 'upload', bytes: offset, total: upload.sizeBytes })
      }
    } finally {
      dek.right.fill(0)
    }
    await input.store.clear()
    return session.http.getBackup(backupId)
  })

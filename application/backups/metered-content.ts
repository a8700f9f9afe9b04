/**
 * Knows how to pass an upload through while hashing and counting it, stopping the moment it grows past
 * what is allowed, so an oversized body is never stored whole.
 */
import {
  type ContentLengthMismatch,
  contentLengthMismatch,
  type UploadTooLarge,
  uploadTooLarge,
} from '../../domain/errors'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { AccountId, BlobId, Sha256Hex } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { Sha256Stream } from '../ports/hasher'

export type MeteredContent = Readonly<{
  chunks: AsyncIterable<Uint8Array>
  /** Why the stream was stopped, if it was. */
  stopped: () => UploadTooLarge | ContentLengthMismatch | null
  bytes: () => number
  digestHex: () => Sha256Hex
}>

/** `declaredLength` (Content-Length) is a ceiling too: a body longer than announced is refused early. */
export const meteredContent = (
  content: AsyncIterable<Uint8Array>,
  hash: Sha256Stream,
  maxBytes: number,
  declaredLength: number | undefined,
): MeteredContent => {
  let bytes = 0
  let stopped: UploadTooLarge | ContentLengthMismatch | null = null
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of content) {
      bytes += chunk.length
      if (bytes > maxBytes) stopped = uploadTooLarge(maxBytes)
      else if (declaredLength !== undefined && bytes > declaredLength) stopped = contentLengthMismatch
      if (stopped !== null) throw new Error(`upload stopped: ${stopped._tag}`)
      hash.update(chunk)
      yield chunk
    }
  }
  return { chunks: chunks(), stopped: () => stopped, bytes: () => bytes, digestHex: hash.digestHex }
}

export type MeteredWrite = Readonly<{ sizeBytes: number; sha256: Sha256Hex }>

/**
 * Streams `content` into a fresh blob through `meteredContent`: what every upload route does before its own
 * checks. Right only when the whole body arrived, within the limit and exactly as long as declared.
 */
export const writeMetered = (
  deps: Pick<Ports, 'blobs' | 'hasher' | 'settings'>,
  target: Readonly<{ accountId: AccountId; blobId: BlobId }>,
  content: AsyncIterable<Uint8Array>,
  declaredLength: number | undefined,
): TE.TaskEither<Unavailable | UploadTooLarge | ContentLengthMismatch, MeteredWrite> => {
  const metered = meteredContent(
    content,
    deps.hasher.sha256Stream(),
    deps.settings.maxUploadBytes,
    declaredLength,
  )
  return pipe(
    deps.blobs.write(target.accountId, target.blobId, metered.chunks),
    TE.mapError((e): Unavailable | UploadTooLarge | ContentLengthMismatch => metered.stopped() ?? e),
    TE.filterOrElseW(
      ({ sizeBytes }) => declaredLength === undefined || sizeBytes === declaredLength,
      () => contentLengthMismatch,
    ),
    TE.map(({ sizeBytes }) => ({ sizeBytes, sha256: metered.digestHex() })),
  )
}

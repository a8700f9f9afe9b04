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
import type { Sha256Hex } from '../../domain/ids'
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

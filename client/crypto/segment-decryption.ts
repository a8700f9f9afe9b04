/**
 * Knows how to decrypt a protocol-v1 segment stream, refusing anything but the exact stream that was written
 * for this backup under this DEK, with memory bounded by one segment (plus one incoming chunk).
 */
import * as E from 'fp-ts/Either'
import type { BackupId } from '../../domain/ids'
import { gcmDecrypt, importAesGcmKey, TAG_BYTES } from './aead'
import { byteQueue } from './byte-queue'
import type { WebCryptoKey } from './bytes'
import {
  segmentAuthFailed,
  StreamDecryptionError,
  StreamError,
  streamTrailingData,
  streamTruncated,
} from './errors'
import type { Dek } from './keys'
import { unpadder } from './padme'
import {
  decodeHeader,
  DEFAULT_SEGMENT_SIZE,
  HEADER_BYTES,
  segmentAad,
  segmentNonce,
  StreamHeader,
} from './segment-format'
import type { ByteSource } from './segment-encryption'

export type DecryptSegmentsOptions = Readonly<{
  /** Largest segment size accepted from a header (memory bound); defaults to protocol-v1's 1 MiB. */
  maxSegmentSize?: number
}>

const refuse = (error: StreamError): never => {
  throw new StreamDecryptionError(error)
}

type Segment = Readonly<{ key: WebCryptoKey; header: StreamHeader; aad: Uint8Array; index: number }>

const openSegment = (s: Segment, frame: Uint8Array, last: boolean): Promise<Uint8Array | undefined> =>
  gcmDecrypt(s.key, segmentNonce(s.header, s.index, last), frame, s.aad)

/** A frame known to be followed by more bytes. If it authenticates only as a last segment, bytes were appended. */
const openMiddle = async (s: Segment, frame: Uint8Array): Promise<Uint8Array> =>
  (await openSegment(s, frame, false)) ??
  refuse((await openSegment(s, frame, true)) ? streamTrailingData(s.index + 1) : segmentAuthFailed(s.index))

/** The frame the stream ended with. If it authenticates only as a middle segment, the stream was cut. */
const openLast = async (s: Segment, frame: Uint8Array): Promise<Uint8Array> => {
  const full = frame.length === s.header.segmentSize + TAG_BYTES
  return (
    (await openSegment(s, frame, true)) ??
    refuse(
      full && (await openSegment(s, frame, false))
        ? streamTruncated(s.index + 1)
        : segmentAuthFailed(s.index),
    )
  )
}

/**
 * Decrypts a segment stream made by `encryptSegments` for `backupId`, yielding plaintext chunks in order.
 * Throws StreamDecryptionError (a tagged `error` inside) for a bad header, a missing last segment, appended
 * bytes, reordered or foreign segments, or any flipped byte.
 * SECURITY: chunks are authentic when yielded, but the stream is complete only when iteration ends without
 * throwing: write to a temporary place and commit only then, or a truncated restore could pass for whole.
 */
export async function* decryptSegments(
  dek: Dek,
  backupId: BackupId,
  ciphertext: ByteSource,
  options: DecryptSegmentsOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const key = await importAesGcmKey(dek, 'decrypt')
  const queue = byteQueue()
  const padding = unpadder()
  let segment: Segment | undefined
  for await (const chunk of ciphertext) {
    queue.push(chunk)
    if (segment === undefined && queue.length() >= HEADER_BYTES) {
      const header = decodeHeader(queue.take(HEADER_BYTES), options.maxSegmentSize ?? DEFAULT_SEGMENT_SIZE)
      if (E.isLeft(header)) return refuse(header.left)
      segment = { key, header: header.right, aad: segmentAad(header.right, backupId), index: 0 }
    }
    const frameBytes = (segment?.header.segmentSize ?? 0) + TAG_BYTES
    while (segment !== undefined && queue.length() > frameBytes) {
      yield* padding.push(await openMiddle(segment, queue.take(frameBytes)))
      segment = { ...segment, index: segment.index + 1 }
    }
  }
  if (segment === undefined || queue.length() === 0) return refuse(streamTruncated(segment?.index ?? 0))
  yield* padding.push(await openLast(segment, queue.take(queue.length())))
  const framing = padding.finish()
  if (E.isLeft(framing)) refuse(framing.left)
}

/**
 * Knows the byte layout of protocol-v1 content streams:
 *   header  = "ZKEB" | version = 0x01 | segmentSize (uint32be) | noncePrefix (7 bytes)      → 16 bytes
 *   segment i = AES-256-GCM(DEK, nonce_i, padded plaintext[i·segmentSize …], AAD) → plaintext + 16-byte tag
 *   nonce_i = noncePrefix | uint32be(i) | lastFlag (0x01 on the final segment, else 0x00)
 *   AAD     = header | UTF-8(backupId)
 * Every segment but the last carries exactly `segmentSize` plaintext bytes; the last carries 1…segmentSize.
 * SECURITY: the index in the nonce stops reordering, the last flag stops truncation and extension, the header
 * in the AAD stops header edits, and the backup id in the AAD stops splicing segments between backups.
 */
import * as E from 'fp-ts/Either'
import type { BackupId } from '../../domain/ids'
import { TAG_BYTES } from './aead'
import { concatBytes, uint32be, utf8 } from './bytes'
import { badStreamHeader, BadStreamHeader } from './errors'
import { paddedLength } from './padme'

export const STREAM_MAGIC = utf8('ZKEB')
export const STREAM_VERSION = 1
export const HEADER_BYTES = 16
export const NONCE_PREFIX_BYTES = 7
/** protocol-v1's plaintext segment size: 1 MiB. */
export const DEFAULT_SEGMENT_SIZE = 1024 * 1024
/** Largest segment size an encryptor may choose; decryptors accept only up to their own configured limit. */
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024
/** The nonce holds the index in 32 bits. */
export const MAX_SEGMENTS = 0x1_0000_0000

export type StreamHeader = Readonly<{ segmentSize: number; noncePrefix: Uint8Array; bytes: Uint8Array }>

/** Builds the 16-byte header. Throws on a segment size outside 1…MAX_SEGMENT_SIZE (a caller bug). */
export const encodeHeader = (segmentSize: number, noncePrefix: Uint8Array): StreamHeader => {
  if (!Number.isInteger(segmentSize) || segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE)
    throw new RangeError('segmentSize out of range')
  if (noncePrefix.length !== NONCE_PREFIX_BYTES) throw new RangeError('noncePrefix must be 7 bytes')
  const bytes = concatBytes(STREAM_MAGIC, Uint8Array.of(STREAM_VERSION), uint32be(segmentSize), noncePrefix)
  return { segmentSize, noncePrefix: noncePrefix.slice(), bytes }
}

/** Parses the first 16 bytes of a stream; refuses a segment size above `maxSegmentSize` to bound memory. */
export const decodeHeader = (
  bytes: Uint8Array,
  maxSegmentSize: number,
): E.Either<BadStreamHeader, StreamHeader> => {
  if (!STREAM_MAGIC.every((b, i) => bytes[i] === b)) return E.left(badStreamHeader('magic'))
  if (bytes[4] !== STREAM_VERSION) return E.left(badStreamHeader('version'))
  const segmentSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(5, false)
  if (segmentSize < 1 || segmentSize > maxSegmentSize) return E.left(badStreamHeader('segment-size'))
  return E.right({
    segmentSize,
    noncePrefix: bytes.slice(9, HEADER_BYTES),
    bytes: bytes.slice(0, HEADER_BYTES),
  })
}

/** nonce_i = noncePrefix | uint32be(i) | lastFlag. */
export const segmentNonce = (header: StreamHeader, index: number, last: boolean): Uint8Array => {
  if (index >= MAX_SEGMENTS) throw new RangeError('too many segments for one stream')
  return concatBytes(header.noncePrefix, uint32be(index), Uint8Array.of(last ? 1 : 0))
}

/** AAD of every segment: the header followed by the backup id, as UTF-8. */
export const segmentAad = (header: StreamHeader, backupId: BackupId): Uint8Array =>
  concatBytes(header.bytes, utf8(backupId))

/**
 * Exact encrypted size for `plaintextLength` bytes: what `Content-Length` and quota checks need before the
 * stream is produced. It reveals only the Padmé bucket of the plaintext length.
 */
export const encryptedLength = (plaintextLength: number, segmentSize = DEFAULT_SEGMENT_SIZE): number => {
  const padded = paddedLength(plaintextLength)
  return HEADER_BYTES + padded + TAG_BYTES * Math.ceil(padded / segmentSize)
}

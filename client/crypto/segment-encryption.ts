/**
 * Knows how to encrypt content of any length as a protocol-v1 segment stream, holding one segment in memory.
 */
import type { BackupId } from '../../domain/ids'
import { gcmEncrypt, importAesGcmKey } from './aead'
import { RandomBytes, secureRandomBytes } from './bytes'
import type { Dek } from './keys'
import { paddedLength, paddingFor } from './padme'
import {
  DEFAULT_SEGMENT_SIZE,
  encodeHeader,
  NONCE_PREFIX_BYTES,
  segmentAad,
  segmentNonce,
} from './segment-format'

export type EncryptSegmentsOptions = Readonly<{
  /** Plaintext bytes per segment; protocol-v1 uses 1 MiB (the default). Smaller sizes exist for test vectors. */
  segmentSize?: number
  /** Source of the 7-byte nonce prefix; only test vectors pass a fixed one. */
  random?: RandomBytes
}>

/** Anything that yields byte chunks in order: a web ReadableStream, a Node stream, a generator. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/**
 * Encrypts `plaintext` for backup `backupId` under its DEK: yields the 16-byte header, then one sealed segment
 * per `segmentSize` bytes of padded plaintext (see padme.ts for the padding).
 * Memory stays at one segment whatever the input size or chunking.
 * SECURITY: the DEK must be fresh for this backup (generateDek); the random nonce prefix additionally keeps
 * nonces apart should a DEK ever be reused by mistake.
 */
export async function* encryptSegments(
  dek: Dek,
  backupId: BackupId,
  plaintext: ByteSource,
  options: EncryptSegmentsOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const header = encodeHeader(
    options.segmentSize ?? DEFAULT_SEGMENT_SIZE,
    (options.random ?? secureRandomBytes)(NONCE_PREFIX_BYTES),
  )
  const aad = segmentAad(header, backupId)
  const key = await importAesGcmKey(dek, 'encrypt')
  const segment = new Uint8Array(header.segmentSize)
  let filled = 0
  let index = 0
  const sealSegment = (last: boolean): Promise<Uint8Array> =>
    gcmEncrypt(key, segmentNonce(header, index++, last), segment.subarray(0, filled), aad)

  /** Copies `chunk` in; seals each full segment unless it ends the stream; `final` seals the rest as last. */
  async function* absorb(chunk: Uint8Array, final: boolean): AsyncGenerator<Uint8Array, void, undefined> {
    for (let offset = 0; offset < chunk.length;) {
      const n = Math.min(header.segmentSize - filled, chunk.length - offset)
      segment.set(chunk.subarray(offset, offset + n), filled)
      filled += n
      offset += n
      if (filled === header.segmentSize && !(final && offset === chunk.length)) {
        yield await sealSegment(false)
        filled = 0
      }
    }
    if (final) yield await sealSegment(true)
  }

  yield header.bytes
  let length = 0
  for await (const chunk of plaintext) {
    length += chunk.length
    yield* absorb(chunk, false)
  }
  const total = paddedLength(length)
  for (const padding of paddingFor(length)) {
    length += padding.length
    yield* absorb(padding, length === total)
  }
}

/**
 * Knows how content is padded before segment encryption, so the server sees only a Padmé bucket, never the
 * exact plaintext length.
 *
 * Framing (ISO/IEC 7816-4 style): padded = plaintext || 0x80 || 0x00 … 0x00, with
 * padded length = padmeLength(plaintextLength + 1). The marker makes the length recoverable without a length
 * field, and the encryptor needs the length only when its input ends, so streams of unknown length work.
 * Padmé (Nikitin et al., PETS 2019) leaks O(log log L) bits of the length with at most 12 % overhead.
 *
 * SECURITY: the decryptor cannot know where content ends until the last segment. Rather than buffer the
 * candidate padding it counts a trailing run of zero bytes (a number, not memory) and holds back one 0x80, so
 * its memory stays bounded even when the content itself ends in gigabytes of zeros.
 */
import * as E from 'fp-ts/Either'
import { badPadding, BadPadding } from './errors'

const MARKER = 0x80
const ZERO_CHUNK = 64 * 1024

const bitLength = (n: number): number => n.toString(2).length

/** Padmé: rounds `n` up so that only the top ⌊log2 ⌊log2 n⌋⌋ + 1 bits of its mantissa remain free. */
export const padmeLength = (n: number): number => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('padmeLength: not a length')
  if (n < 2) return n
  const exponent = bitLength(n) - 1
  const unit = 2 ** (exponent - bitLength(exponent))
  return Math.ceil(n / unit) * unit
}

/** Bytes of padded content for `plaintextLength` bytes of plaintext (always more: the marker is one byte). */
export const paddedLength = (plaintextLength: number): number => padmeLength(plaintextLength + 1)

/** The padding that follows `plaintextLength` bytes, produced in bounded chunks: 0x80 then zeros. */
export function* paddingFor(plaintextLength: number): Generator<Uint8Array> {
  let zeros = paddedLength(plaintextLength) - plaintextLength - 1
  yield Uint8Array.of(MARKER)
  for (; zeros > 0; zeros -= ZERO_CHUNK) yield new Uint8Array(Math.min(zeros, ZERO_CHUNK))
}

function* zeroRun(count: number): Generator<Uint8Array> {
  for (let left = count; left > 0; left -= ZERO_CHUNK) yield new Uint8Array(Math.min(left, ZERO_CHUNK))
}

/** Streaming removal of the padding: `push` each decrypted chunk in order, then `finish` once. */
export type Unpadder = {
  /** Yields the plaintext that is certainly content; holds back a trailing 0x80 and counts trailing zeros. */
  readonly push: (chunk: Uint8Array) => Generator<Uint8Array>
  /** Checks the framing is canonical: a marker, only zeros after it, and the Padmé length for the content. */
  readonly finish: () => E.Either<BadPadding, { readonly plaintextLength: number }>
}

/** A fresh unpadder for one stream. */
export const unpadder = (): Unpadder => {
  let emitted = 0
  let seen = 0
  let markerHeld = false
  let pendingZeros = 0
  function* push(chunk: Uint8Array): Generator<Uint8Array> {
    seen += chunk.length
    let last = chunk.length - 1
    while (last >= 0 && chunk[last] === 0) last--
    if (last < 0) {
      pendingZeros += chunk.length
      return
    }
    if (markerHeld) yield Uint8Array.of(MARKER) // a non-zero byte follows it: the 0x80 was content
    yield* zeroRun(pendingZeros)
    emitted += (markerHeld ? 1 : 0) + pendingZeros
    markerHeld = chunk[last] === MARKER
    const content = chunk.subarray(0, markerHeld ? last : last + 1)
    if (content.length > 0) yield content
    emitted += content.length
    pendingZeros = chunk.length - last - 1
  }
  const finish = (): E.Either<BadPadding, { readonly plaintextLength: number }> =>
    markerHeld && paddedLength(emitted) === seen ? E.right({ plaintextLength: emitted }) : E.left(badPadding)
  return { push, finish }
}

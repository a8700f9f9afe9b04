/**
 * Knows the small byte helpers every client crypto module needs, written against web APIs only
 * (Uint8Array, TextEncoder, crypto.getRandomValues) so the same code runs in Node 20 and browsers.
 */

/** A WebCrypto key, named without DOM or node:crypto types so both Node and browser builds compile. */
export type WebCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>

/** A source of random bytes. Production code uses `secureRandomBytes`; test vectors pass a fixed source. */
export type RandomBytes = (length: number) => Uint8Array

/**
 * Cryptographically secure random bytes from the platform CSPRNG.
 * getRandomValues refuses more than 65,536 bytes per call, so larger requests are filled in slices.
 */
export const secureRandomBytes: RandomBytes = (length) => {
  const out = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += 65_536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65_536)))
  }
  return out
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 bytes of a string (labels, ids, JSON). */
export const utf8 = (s: string): Uint8Array => encoder.encode(s)

/** Strict UTF-8 decoding: invalid sequences throw instead of becoming U+FFFD. */
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes)

/** One new array holding the parts in order. */
export const concatBytes = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

/** Big-endian unsigned 32-bit encoding. */
export const uint32be = (n: number): Uint8Array => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError('uint32be: out of range')
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n, false)
  return out
}

/**
 * The bytes as WebCrypto's BufferSource. A type-only view: DOM's lib (browser builds) refuses a
 * Uint8Array that might sit on a SharedArrayBuffer, and no byte array here ever does.
 */
export const asBufferSource = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes as Uint8Array<ArrayBuffer>

/** Lowercase hex, the wire form of hashes. */
export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** SHA-256 of the bytes (one shot; WebCrypto has no incremental digest). */
export const sha256 = async (bytes: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', asBufferSource(bytes)))

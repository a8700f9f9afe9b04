/**
 * Knows RFC 4648 base32 (A–Z, 2–7, no padding), the alphabet of printed recovery keys: case-insensitive and
 * free of 0/1/8/9, so it survives being read aloud or copied by hand.
 */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** Base32 without padding; the final character carries the leftover bits, zero-filled. */
export const encodeBase32 = (bytes: Uint8Array): string => {
  let out = ''
  let acc = 0
  let bits = 0
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += alphabet[(acc >> bits) & 31]
    }
  }
  return bits > 0 ? out + alphabet[(acc << (5 - bits)) & 31] : out
}

/**
 * Decodes unpadded base32 (upper case; callers normalise first). `undefined` for a character outside the
 * alphabet or non-zero leftover bits, so every byte string has exactly one accepted spelling.
 */
export const decodeBase32 = (s: string): Uint8Array | undefined => {
  const out = new Uint8Array(Math.floor((s.length * 5) / 8))
  let acc = 0
  let bits = 0
  let j = 0
  for (const c of s) {
    const v = alphabet.indexOf(c)
    if (v < 0) return undefined
    acc = ((acc << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[j++] = (acc >> bits) & 0xff
    }
  }
  return (acc & ((1 << bits) - 1)) === 0 ? out : undefined
}

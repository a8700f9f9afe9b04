/**
 * Knows how to move between bytes and unpadded base64url, the wire form of every binary field.
 * Pure (no Buffer) so the domain and browser clients can share it.
 */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const lookup: ReadonlyMap<string, number> = new Map([...alphabet].map((c, i) => [c, i]))

export const base64UrlPattern = /^[A-Za-z0-9_-]*$/

/** Bytes a well-formed unpadded base64url string of this length decodes to. */
export const decodedLength = (encodedLength: number): number => Math.floor((encodedLength * 3) / 4)

/** A length of 4k+1 cannot come from any byte string. */
export const isBase64Url = (s: string): boolean => base64UrlPattern.test(s) && s.length % 4 !== 1

export const encodeBase64Url = (bytes: Uint8Array): string => {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 4) / 3))
    for (let c = 0; c < chars; c++) out += alphabet[(n >> (18 - 6 * c)) & 63]
  }
  return out
}

/** Decodes a string already checked with `isBase64Url`; throws on anything else (a caller bug). */
export const decodeBase64Url = (s: string): Uint8Array => {
  if (!isBase64Url(s)) throw new Error('decodeBase64Url: not base64url')
  const out = new Uint8Array(decodedLength(s.length))
  let acc = 0
  let bits = 0
  let j = 0
  for (const c of s) {
    acc = (acc << 6) | (lookup.get(c) ?? 0)
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[j++] = (acc >> bits) & 0xff
    }
  }
  return out
}

/**
 * Knows refs as they travel and are stored: 32-byte object ids concatenated, strictly increasing (hex order is
 * byte order), held as one byte array so two million refs cost 64 MB, not two million strings.
 */
import type { ObjectId } from './snapshot'

export const REF_BYTES = 32

const digits = '0123456789abcdef'

export const toHex = (bytes: Uint8Array): string => {
  let out = ''
  for (const b of bytes) out += digits[b >> 4]! + digits[b & 15]!
  return out
}

/** The bytes of a hex string already checked by a codec (ObjectId, PackId, SeriesId). */
export const fromHex = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export const refCountOf = (refs: Uint8Array): number => refs.length / REF_BYTES

export const refAt = (refs: Uint8Array, i: number): Uint8Array =>
  refs.subarray(i * REF_BYTES, (i + 1) * REF_BYTES)

export const refIdAt = (refs: Uint8Array, i: number): ObjectId => toHex(refAt(refs, i)) as ObjectId

/** Every ref as an id, in order. */
export const refIds = (refs: Uint8Array): ReadonlyArray<ObjectId> =>
  Array.from({ length: refCountOf(refs) }, (_, i) => refIdAt(refs, i))

/** The ids as refs: 32 bytes each, in the order given. */
export const refsOf = (ids: ReadonlyArray<ObjectId>): Uint8Array => {
  const out = new Uint8Array(ids.length * REF_BYTES)
  ids.forEach((id, i) => out.set(fromHex(id), i * REF_BYTES))
  return out
}

const compareAt = (refs: Uint8Array, a: number, b: number): number => {
  for (let k = 0; k < REF_BYTES; k++) {
    const d = refs[a * REF_BYTES + k]! - refs[b * REF_BYTES + k]!
    if (d !== 0) return d
  }
  return 0
}

/** Whole ids, each strictly greater than the one before: sorted and unique, the only order refs travel in. */
export const refsAreCanonical = (refs: Uint8Array): boolean => {
  if (refs.length % REF_BYTES !== 0) return false
  for (let i = 1; i < refCountOf(refs); i++) if (compareAt(refs, i - 1, i) >= 0) return false
  return true
}

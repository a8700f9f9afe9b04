/**
 * Knows FastCDC as the 2020 paper specifies it (Xia et al., "The Design of Fast Content-Defined Chunking for
 * Data Deduplication Based Storage Systems"): a gear hash, cut-point skipping below the minimum size, and
 * normalized chunking (a harder mask before the average size, an easier one after). Boundaries are byte-exact
 * with fastcdc-rs's v2020 `cut`, including its convention that a chunk ends just before the byte whose hash
 * matched.
 *
 * Speed: the gear hash is 64 bits, but the low 32 bits of `h = (h << 1) + G[b]` depend only on the low 32 bits
 * of h and G. The hot loop therefore runs a 32-bit gear hash and tests the low half of the mask; only when that
 * half matches (about once per 2^10 bytes) is the full 64-bit hash rebuilt from the last 64 bytes (older bytes
 * have been shifted out of it) to test the high half. Same cut points, no 64-bit arithmetic per byte.
 */
import type { GearTable } from './gear'

/**
 * The FastCDC reference masks, indexed by the number of bits (an average size of 2^bits): the values of the C
 * reference (destor) for 64 B–128 KiB and of restic-FastCDC above, as fastcdc-rs publishes them. Bits are
 * spread out, which the paper finds dedups slightly better than contiguous bits.
 */
const MASKS: ReadonlyArray<bigint> = [
  0n,
  0n,
  0n,
  0n,
  0n,
  0x0000000001804110n,
  0x0000000001803110n,
  0x0000000018035100n,
  0x0000001800035300n,
  0x0000019000353000n,
  0x0000590003530000n,
  0x0000d90003530000n,
  0x0000d90103530000n,
  0x0000d90303530000n,
  0x0000d90313530000n,
  0x0000d90f03530000n,
  0x0000d90303537000n,
  0x0000d90703537000n,
  0x0000d90707537000n,
  0x0000d91707537000n,
  0x0000d91747537000n,
  0x0000d91767537000n,
  0x0000d93767537000n,
  0x0000d93777537000n,
  0x0000d93777577000n,
  0x0000db3777577000n,
]

export type ChunkerParams = Readonly<{
  minSize: number
  avgSize: number
  maxSize: number
  normalization: 0 | 1 | 2 | 3
}>

/** Protocol v1.1's sizes: restic's 512 KiB / 1 MiB / 8 MiB, normalization level 1 (see protocol-snapshots.md). */
export const SNAPSHOT_CHUNKER: ChunkerParams = {
  minSize: 512 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 8 * 1024 * 1024,
  normalization: 1,
}

/** A chunker ready to cut: the table and the four mask halves for these parameters. */
export type Cdc = Readonly<{
  params: ChunkerParams
  gear: GearTable
  maskSHi: number
  maskSLo: number
  maskLHi: number
  maskLLo: number
}>

const halves = (mask: bigint): [number, number] => [Number(mask >> 32n) | 0, Number(mask & 0xffff_ffffn) | 0]

export const makeCdc = (gear: GearTable, params: ChunkerParams): Cdc => {
  const { minSize, avgSize, maxSize } = params
  if (!(64 <= minSize && minSize <= avgSize && avgSize <= maxSize && maxSize <= 16 * 1024 * 1024))
    throw new RangeError('chunker sizes out of range')
  const bits = Math.round(Math.log2(avgSize))
  const [maskSHi, maskSLo] = halves(MASKS[bits + params.normalization]!)
  const [maskLHi, maskLLo] = halves(MASKS[bits - params.normalization]!)
  return { params, gear, maskSHi, maskSLo, maskLHi, maskLLo }
}

/** The exact 64-bit gear hash after byte `i`, for a hash that started at 0 before byte `from`. */
export const gearHashAt = (cdc: Cdc, src: Uint8Array, from: number, i: number): bigint => {
  let hi = 0
  let lo = 0
  const { hi: ghi, lo: glo } = cdc.gear
  for (let j = Math.max(from, i - 63); j <= i; j++) {
    const b = src[j]!
    const sum = ((lo << 1) >>> 0) + (glo[b]! >>> 0)
    hi = (((hi << 1) | (lo >>> 31)) + ghi[b]! + (sum > 0xffff_ffff ? 1 : 0)) | 0
    lo = sum | 0
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
}

/**
 * The high 32 bits of the gear hash after byte `i`, in 32-bit arithmetic (no BigInt on the hot path). Masks use
 * bits below 48 only, and bit k depends on the last k + 1 bytes, so the last 48 bytes decide every tested bit.
 */
const highHalf = (cdc: Cdc, src: Uint8Array, from: number, i: number): number => {
  let hi = 0
  let lo = 0
  const { hi: ghi, lo: glo } = cdc.gear
  for (let j = Math.max(from, i - 47); j <= i; j++) {
    const b = src[j]!
    const sum = ((lo << 1) >>> 0) + (glo[b]! >>> 0)
    hi = (((hi << 1) | (lo >>> 31)) + ghi[b]! + (sum > 0xffff_ffff ? 1 : 0)) | 0
    lo = sum | 0
  }
  return hi
}

/**
 * Length of the next chunk of src[start, end). Call it with end − start ≥ maxSize, or at the end of the input:
 * with less, the answer would depend on how the input was read.
 */
export const cutPoint = (cdc: Cdc, src: Uint8Array, start: number, end: number): number => {
  const { minSize, avgSize, maxSize } = cdc.params
  let remaining = end - start
  if (remaining <= minSize) return remaining
  let center = avgSize
  if (remaining > maxSize) remaining = maxSize
  else if (remaining < center) center = remaining
  const from = start + (minSize & ~1)
  const c = start + (center & ~1)
  const r = start + (remaining & ~1)
  const glo = cdc.gear.lo
  const { maskSHi, maskSLo, maskLHi, maskLLo } = cdc
  let lo = 0
  let i = from
  for (; i < c; i++) {
    lo = ((lo << 1) + glo[src[i]!]!) | 0
    if ((lo & maskSLo) === 0 && (highHalf(cdc, src, from, i) & maskSHi) === 0) return i - start
  }
  for (; i < r; i++) {
    lo = ((lo << 1) + glo[src[i]!]!) | 0
    if ((lo & maskLLo) === 0 && (highHalf(cdc, src, from, i) & maskLHi) === 0) return i - start
  }
  return remaining
}

/**
 * The cut and fastcdc-rs's reported hash (the 64-bit gear hash as of the end of the chunk, 0 for a chunk that
 * is not above the minimum). Only test vectors need the hash.
 */
export const cutWithHash = (
  cdc: Cdc,
  src: Uint8Array,
  start: number,
  end: number,
): Readonly<{ length: number; hash: bigint }> => {
  const length = cutPoint(cdc, src, start, end)
  if (end - start <= cdc.params.minSize) return { length, hash: 0n }
  const from = start + (cdc.params.minSize & ~1)
  if (length === Math.min(end - start, cdc.params.maxSize)) {
    const last = start + (length & ~1) - 1
    return { length, hash: last < from ? 0n : gearHashAt(cdc, src, from, last) }
  }
  // fastcdc-rs rolls two bytes per step: a match on the even byte reports its hash shifted left once.
  const hash = gearHashAt(cdc, src, from, start + length)
  return { length, hash: length % 2 === 0 ? (hash << 1n) & 0xffff_ffff_ffff_ffffn : hash }
}

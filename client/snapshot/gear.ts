/**
 * Knows FastCDC's gear table: 256 64-bit values, held as two Int32Arrays (high and low halves) because the
 * chunker's hot loop runs on 32-bit integers.
 * Protocol v1.1 keys the table (keys.ts: keyedGearTable), so chunk boundaries depend on the account's key and do
 * not fingerprint known files, as restic's per-repository polynomial and Borg's seeded buzhash do. The
 * published table exists only to reproduce published FastCDC test vectors.
 */
import { createHash } from 'node:crypto'

export type GearTable = Readonly<{ hi: Int32Array; lo: Int32Array }>

/** 2,048 bytes read as 256 big-endian u64. */
export const gearTableFromBytes = (bytes: Uint8Array): GearTable => {
  if (bytes.length !== 256 * 8) throw new RangeError('a gear table is 2048 bytes')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const hi = new Int32Array(256)
  const lo = new Int32Array(256)
  for (let i = 0; i < 256; i++) {
    hi[i] = view.getInt32(8 * i)
    lo[i] = view.getInt32(8 * i + 4)
  }
  return { hi, lo }
}

/** The table as 256 unsigned 64-bit values (vectors and the reference implementation in the tests). */
export const gearTableValues = (table: GearTable): ReadonlyArray<bigint> =>
  Array.from({ length: 256 }, (_, i) => (BigInt(table.hi[i]! >>> 0) << 32n) | BigInt(table.lo[i]! >>> 0))

/**
 * The unkeyed table of the FastCDC reference implementations (destor's C code, fastcdc-rs): entry i is the
 * first 8 bytes, big-endian, of MD5 of 64 bytes each equal to i. Only for published test vectors.
 */
export const publishedGearTable = (): GearTable => {
  const bytes = new Uint8Array(256 * 8)
  for (let i = 0; i < 256; i++) {
    const digest = createHash('md5').update(new Uint8Array(64).fill(i)).digest()
    bytes.set(digest.subarray(0, 8), 8 * i)
  }
  return gearTableFromBytes(bytes)
}

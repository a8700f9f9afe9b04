/**
 * Knows the big-endian binary primitives of protocol v1.1's encodings (trees, pack headers, frames): a growing
 * writer and a bounds-checked reader. The reader never throws on hostile input: every read of bytes that are
 * not there marks it failed, and decoders turn that into a Left.
 */
export const ID_BYTES = 32

const hexAlphabet = '0123456789abcdef'
const hexTable = Array.from({ length: 256 }, (_, b) => hexAlphabet[b >> 4]! + hexAlphabet[b & 15]!)

/** Lowercase hex (ids on the wire). */
export const hex = (bytes: Uint8Array): string => {
  let out = ''
  for (const b of bytes) out += hexTable[b]!
  return out
}

/** Parses lowercase hex; undefined for anything else (odd length, upper case, other characters). */
export const fromHex = (s: string): Uint8Array | undefined => {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) return undefined
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** Unsigned byte-wise order (memcmp), the order of names in trees and of ids in refs. */
export const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

export class ByteWriter {
  private buf = new Uint8Array(256)
  private view = new DataView(this.buf.buffer)
  private len = 0

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n))
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
    this.view = new DataView(next.buffer)
  }
  u8(n: number): this {
    this.reserve(1)
    this.view.setUint8(this.len, n)
    this.len += 1
    return this
  }
  u16(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError('u16 out of range')
    this.reserve(2)
    this.view.setUint16(this.len, n)
    this.len += 2
    return this
  }
  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError('u32 out of range')
    this.reserve(4)
    this.view.setUint32(this.len, n)
    this.len += 4
    return this
  }
  u64(n: bigint): this {
    this.reserve(8)
    this.view.setBigUint64(this.len, BigInt.asUintN(64, n))
    this.len += 8
    return this
  }
  i64(n: bigint): this {
    this.reserve(8)
    this.view.setBigInt64(this.len, BigInt.asIntN(64, n))
    this.len += 8
    return this
  }
  bytes(b: Uint8Array): this {
    this.reserve(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
    return this
  }
  length(): number {
    return this.len
  }
  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

export class ByteReader {
  private readonly view: DataView
  private pos = 0
  /** True once any read ran past the end; every later read returns zeros. */
  failed = false

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  private take(n: number): number {
    if (this.failed || n > this.buf.length - this.pos) {
      this.failed = true
      return -1
    }
    const at = this.pos
    this.pos += n
    return at
  }
  u8(): number {
    const at = this.take(1)
    return at < 0 ? 0 : this.view.getUint8(at)
  }
  u16(): number {
    const at = this.take(2)
    return at < 0 ? 0 : this.view.getUint16(at)
  }
  u32(): number {
    const at = this.take(4)
    return at < 0 ? 0 : this.view.getUint32(at)
  }
  u64(): bigint {
    const at = this.take(8)
    return at < 0 ? 0n : this.view.getBigUint64(at)
  }
  i64(): bigint {
    const at = this.take(8)
    return at < 0 ? 0n : this.view.getBigInt64(at)
  }
  /** A copy of the next n bytes (empty when they are not there). */
  bytes(n: number): Uint8Array {
    const at = this.take(n)
    return at < 0 ? new Uint8Array(0) : this.buf.slice(at, at + n)
  }
  remaining(): number {
    return this.buf.length - this.pos
  }
  offset(): number {
    return this.pos
  }
}

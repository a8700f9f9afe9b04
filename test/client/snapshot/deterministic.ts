/**
 * Deterministic pseudo-random bytes for chunker vectors and tests, reproducible anywhere from its definition:
 * block i (32 bytes) = SHA-256("zkeb-chunker-vector" || u32be(i)), blocks concatenated and cut to `length`.
 */
import { createHash } from 'node:crypto'

export const DETERMINISTIC_INPUT = 'SHA-256("zkeb-chunker-vector" || u32be(i)) for i = 0, 1, …, concatenated'

export const deterministicBytes = (length: number): Uint8Array => {
  const out = new Uint8Array(length)
  const counter = Buffer.alloc(4)
  for (let i = 0; i * 32 < length; i++) {
    counter.writeUInt32BE(i)
    const block = createHash('sha256').update('zkeb-chunker-vector').update(counter).digest()
    out.set(block.subarray(0, Math.min(32, length - i * 32)), i * 32)
  }
  return out
}

/** Fast seeded bytes for large test data (xorshift32): not for vectors, only for volume. */
export const seededBytes = (length: number, seed: number): Uint8Array => {
  const out = new Uint8Array(length)
  const words = new Uint32Array(out.buffer, 0, Math.floor(length / 4))
  let x = seed >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  for (let i = words.length * 4; i < length; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) & 0xff
  return out
}

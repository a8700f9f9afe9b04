/**
 * Helpers for the client crypto tests: hex, deterministic randomness for vectors, byte sources and sinks.
 */
import type { RandomBytes } from '../../client/crypto'
import type { BackupId } from '../../domain/ids'

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

export const aBackupId = '0f8fad5b-d9cb-469f-a165-70867728950e' as BackupId
export const anotherBackupId = '7c9e6679-7425-40de-944b-e07fc1f90ae7' as BackupId

/**
 * A "random" source that hands out the given byte strings in order and fails the test if a caller asks for
 * another length or for more than was queued. Only vectors and tests use it.
 */
export const fixedRandom = (...queue: ReadonlyArray<Uint8Array>): RandomBytes => {
  const left = [...queue]
  return (length) => {
    const next = left.shift()
    if (next?.length !== length)
      throw new Error(`fixedRandom: asked for ${length} bytes, queued ${next?.length}`)
    return next.slice()
  }
}

/** `length` bytes counting up from `start`, mod 256: recognisable in hex dumps. */
export const counting = (length: number, start = 0): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (start + i) & 0xff)

/** Reads a whole async iterable into one array (only for small test data). */
export const collect = async (source: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return new Uint8Array(Buffer.concat(parts))
}

/** Splits bytes into chunks of `size` (the last may be shorter), as an async source. */
export async function* inChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
  await Promise.resolve()
}

/** Awaits a promise expected to reject and returns what it rejected with. */
export const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection')
}

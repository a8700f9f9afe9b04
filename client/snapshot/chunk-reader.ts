/**
 * Knows how to cut a byte stream into content-defined chunks with bounded memory: one buffer of three maximum
 * chunk sizes, filled in place by the reader and compacted only when the unread tail nears its end (so bytes
 * are moved about once per two maximum chunk sizes consumed, not once per chunk).
 */
import { Cdc, cutPoint } from './chunker'

/** Reads up to `length` bytes into buf at `offset`; resolves to the count, 0 at the end of the input. */
export type ReadInto = (buf: Uint8Array, offset: number, length: number) => Promise<number>

/** One reader per sequential consumer: it reuses its buffer for every stream it cuts. */
export const chunkReader = (cdc: Cdc) => {
  const max = cdc.params.maxSize
  const buf = new Uint8Array(3 * max)

  /** Yields each chunk as a fresh array (the caller may keep it). Not re-entrant. */
  async function* chunks(read: ReadInto): AsyncGenerator<Uint8Array, void, undefined> {
    let start = 0
    let end = 0
    let eof = false
    for (;;) {
      while (!eof && end - start < max) {
        if (end === buf.length) {
          buf.copyWithin(0, start, end)
          end -= start
          start = 0
        }
        const n = await read(buf, end, buf.length - end)
        if (n === 0) eof = true
        end += n
      }
      if (start === end) return
      const length = cutPoint(cdc, buf, start, end)
      yield buf.slice(start, start + length)
      start += length
    }
  }
  return { chunks }
}

/** Chunks of an in-memory array (tests, small inputs): same boundaries as a stream of the same bytes. */
export function* chunksOf(cdc: Cdc, bytes: Uint8Array): Generator<Uint8Array> {
  for (let start = 0; start < bytes.length;) {
    const length = cutPoint(cdc, bytes, start, bytes.length)
    yield bytes.subarray(start, start + length)
    start += length
  }
}

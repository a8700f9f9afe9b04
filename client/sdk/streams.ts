/**
 * Knows how to move bytes between web ReadableStreams and async iterables with web APIs only (no Node
 * streams), so uploads and downloads work the same in Node 20 and browsers.
 */
import type { ByteSource } from '../crypto'

/** A byte ReadableStream pulling from `source` one chunk at a time (backpressure: nothing is read ahead). */
export const toReadableStream = (source: ByteSource): ReadableStream<Uint8Array> => {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next()
      if (next.done === true) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel() {
      await iterator.return?.()
    },
  })
}

/** Reads a ReadableStream as an async iterable (browsers do not all make streams iterable yet). */
export async function* fromReadableStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value
  } finally {
    await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}

/** Passes chunks through, reporting the running byte count after each one. */
export async function* counted(
  source: ByteSource,
  onBytes: (total: number) => void,
): AsyncGenerator<Uint8Array> {
  let total = 0
  for await (const chunk of source) {
    total += chunk.length
    onBytes(total)
    yield chunk
  }
}

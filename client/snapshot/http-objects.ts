/**
 * Knows the body of "read objects" (protocol v1.1): per id, in request order, id (32) | length (u32be) | object.
 * Parsed as it streams in, holding one object at a time: the chunks of the object being read are gathered and
 * joined once, never re-copied per network chunk.
 */
import { raise, SnapshotFailure, storeUnavailable } from './errors'
import { MAX_OBJECT_BYTES, type ObjectId } from './object'
import type { StoredObject } from './store'

const HEAD = 36

/** Takes `n` bytes off the front of `chunks` (which together hold at least `n`). */
const take = (chunks: Uint8Array[], n: number): Uint8Array => {
  const out = new Uint8Array(n)
  let filled = 0
  while (filled < n) {
    const first = chunks[0]!
    const want = Math.min(n - filled, first.length)
    out.set(first.subarray(0, want), filled)
    filled += want
    if (want === first.length) chunks.shift()
    else chunks[0] = first.subarray(want)
  }
  return out
}

const cutShort = () => raise(storeUnavailable('the objects body was cut short'))

/** The objects of a read body, in order; throws SnapshotFailure (StoreUnavailable) when it breaks. */
export async function* objectsOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<StoredObject> {
  const chunks: Uint8Array[] = []
  let buffered = 0
  let head: Readonly<{ id: ObjectId; length: number }> | undefined
  const drain = function* (): Generator<StoredObject> {
    for (;;) {
      if (head === undefined) {
        if (buffered < HEAD) return
        const bytes = take(chunks, HEAD)
        buffered -= HEAD
        const length = new DataView(bytes.buffer).getUint32(32)
        if (length > MAX_OBJECT_BYTES) raise(storeUnavailable('an object in the read body is too large'))
        head = { id: Buffer.from(bytes.subarray(0, 32)).toString('hex') as ObjectId, length }
      }
      if (buffered < head.length) return
      const object = { id: head.id, bytes: take(chunks, head.length) }
      buffered -= head.length
      head = undefined
      yield object
    }
  }
  try {
    for await (const chunk of body) {
      chunks.push(chunk)
      buffered += chunk.length
      yield* drain()
    }
  } catch (e) {
    if (e instanceof SnapshotFailure) throw e
    return cutShort()
  }
  if (buffered > 0 || head !== undefined) cutShort()
}

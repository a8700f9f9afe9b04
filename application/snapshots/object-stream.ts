/**
 * Knows the body of an objects read: per requested id, in order, `id (32) | length (u32) | object`, the objects
 * read as ranges of their packs' blobs. Objects that follow each other in one pack are read as one range, so a
 * restore that asks for a pack's objects in order costs one blob read, not one per object.
 */
import type { AccountId } from '../../domain/ids'
import type { ObjectLocation } from '../../domain/snapshot'
import { fromHex, REF_BYTES } from '../../domain/snapshot-refs'
import type { BlobStore } from '../ports/blob-store'

const PREFIX_BYTES = REF_BYTES + 4

/** Bytes the body of these objects takes: known before the first byte is sent (Content-Length). */
export const objectsBodyLength = (located: ReadonlyArray<ObjectLocation>): number =>
  located.reduce((n, o) => n + PREFIX_BYTES + o.length, 0)

const prefixOf = (o: ObjectLocation): Uint8Array => {
  const out = new Uint8Array(PREFIX_BYTES)
  out.set(fromHex(o.objectId))
  new DataView(out.buffer).setUint32(REF_BYTES, o.length)
  return out
}

/** Runs of objects that lie end to end in one blob, in the order requested. */
const runsOf = (located: ReadonlyArray<ObjectLocation>): ReadonlyArray<ReadonlyArray<ObjectLocation>> => {
  const runs: ObjectLocation[][] = []
  for (const o of located) {
    const run = runs[runs.length - 1]
    const last = run?.[run.length - 1]
    if (
      run !== undefined &&
      last !== undefined &&
      last.blobId === o.blobId &&
      last.offset + last.length === o.offset
    )
      run.push(o)
    else runs.push([o])
  }
  return runs
}

/** One run: a single range read, cut at the objects' boundaries with each object's prefix before it. */
async function* runBody(blobs: BlobStore, accountId: AccountId, run: ReadonlyArray<ObjectLocation>) {
  const first = run[0]!
  const last = run[run.length - 1]!
  const range = { start: first.offset, end: last.offset + last.length - 1 }
  let i = 0
  let left = first.length
  yield prefixOf(first)
  for await (const chunk of blobs.read(accountId, first.blobId, range)) {
    for (let at = 0; at < chunk.length;) {
      if (left === 0) {
        const next = run[++i]
        if (next === undefined) throw new Error('a pack blob is longer than the index says')
        left = next.length
        yield prefixOf(next)
      }
      const take = Math.min(left, chunk.length - at)
      yield chunk.subarray(at, at + take)
      at += take
      left -= take
    }
  }
  if (left !== 0 || i !== run.length - 1) throw new Error('a pack blob is shorter than the index says')
}

/** The whole body, read from the blob store as the consumer pulls; it throws if a blob does not match. */
export async function* objectsBody(
  blobs: BlobStore,
  accountId: AccountId,
  located: ReadonlyArray<ObjectLocation>,
): AsyncGenerator<Uint8Array> {
  for (const run of runsOf(located)) yield* runBody(blobs, accountId, run)
}

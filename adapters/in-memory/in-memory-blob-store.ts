/** Knows how to keep blobs in memory as the chunks they arrived in, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { unavailable, type Unavailable } from '../../application/errors'
import type { BlobRef, BlobStore, ByteRange } from '../../application/ports/blob-store'
import type { AccountId, BlobId } from '../../domain/ids'
import { memoryFailure } from './in-memory-database'

const blobKey = (accountId: AccountId, blobId: BlobId): string => `${accountId}/${blobId}`

/** The parts of `chunks` that fall inside the inclusive `range`, copied so callers cannot alias storage. */
function* slices(chunks: ReadonlyArray<Uint8Array>, range: ByteRange | undefined): Generator<Uint8Array> {
  let offset = 0
  for (const chunk of chunks) {
    const from = Math.max(0, (range?.start ?? 0) - offset)
    const to = Math.min(chunk.length, (range?.end ?? Infinity) + 1 - offset)
    if (to > from) yield chunk.slice(from, to)
    offset += chunk.length
  }
}

/** Looks the blob up only when the consumer first pulls, as the PostgreSQL adapter does. */
async function* readLazily(
  find: () => ReadonlyArray<Uint8Array> | undefined,
  range: ByteRange | undefined,
): AsyncGenerator<Uint8Array> {
  const chunks = await Promise.resolve(find())
  if (chunks === undefined) throw new Error('blob not found')
  yield* slices([...chunks], range)
}

type Stored = { readonly ref: BlobRef; readonly chunks: Uint8Array[]; readonly writtenAt: Date }

/** Blobs stored at or before `cutoff`, after `after` in key order (the order of `${accountId}/${blobId}`). */
const olderThan = (
  blobs: ReadonlyMap<string, Stored>,
  cutoff: Date,
  after: O.Option<BlobRef>,
  limit: number,
): ReadonlyArray<BlobRef> => {
  const from = O.isSome(after) ? blobKey(after.value.accountId, after.value.blobId) : ''
  return [...blobs]
    .filter(([key, blob]) => key > from && blob.writtenAt.getTime() <= cutoff.getTime())
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit)
    .map(([, blob]) => blob.ref)
}

/** What maintenance may see of a stored blob: where it is, its size and when its write began. */
export type InMemoryBlobEntry = Readonly<{
  accountId: AccountId
  blobId: BlobId
  sizeBytes: number
  createdAt: Date
}>

/**
 * Standalone: blobs are not part of the account database (an object store in production). A blob's age counts
 * from when its write began, as in PostgreSQL; `now` is injectable for tests. `entries` lists the blobs for the
 * in-memory maintenance queries.
 */
export const inMemoryBlobStore = (
  now: () => Date = () => new Date(),
): BlobStore & { readonly entries: () => ReadonlyArray<InMemoryBlobEntry> } => {
  const blobs = new Map<string, Stored>()
  const entries = (): ReadonlyArray<InMemoryBlobEntry> =>
    [...blobs.values()].map(({ ref, chunks, writtenAt }) => ({
      ...ref,
      sizeBytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
      createdAt: writtenAt,
    }))

  const write =
    (
      accountId: AccountId,
      blobId: BlobId,
      chunks: AsyncIterable<Uint8Array>,
    ): TE.TaskEither<Unavailable, { readonly sizeBytes: number }> =>
    async () => {
      const key = blobKey(accountId, blobId)
      if (blobs.has(key)) return E.left(memoryFailure('duplicate blob id'))
      const stored: Stored = { ref: { accountId, blobId }, chunks: [], writtenAt: now() }
      blobs.set(key, stored)
      let sizeBytes = 0
      try {
        for await (const chunk of chunks) {
          stored.chunks.push(Uint8Array.from(chunk))
          sizeBytes += chunk.length
        }
        // Collected or deleted while still arriving: reporting it written would commit a backup without content.
        if (blobs.get(key) !== stored) return E.left(memoryFailure('blob deleted while being written'))
        return E.right({ sizeBytes })
      } catch (cause) {
        blobs.delete(key)
        return E.left(unavailable('blobs')(cause))
      }
    }

  return {
    write,
    entries,
    read: (accountId, blobId, range) => ({
      [Symbol.asyncIterator]: () => readLazily(() => blobs.get(blobKey(accountId, blobId))?.chunks, range),
    }),
    delete: (accountId, blobId) => TE.fromIO(() => void blobs.delete(blobKey(accountId, blobId))),
    deleteAccount: (accountId) =>
      TE.fromIO(() => {
        for (const key of blobs.keys()) if (key.startsWith(`${accountId}/`)) blobs.delete(key)
      }),
    listOlderThan: (cutoff, after, limit) => TE.fromIO(() => olderThan(blobs, cutoff, after, limit)),
  }
}

/** Knows how to keep blobs in memory as the chunks they arrived in, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { unavailable, type Unavailable } from '../../application/errors'
import type { BlobStore, ByteRange } from '../../application/ports/blob-store'
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

/** What maintenance may see of a stored blob: where it is, its size and when it was written. */
export type InMemoryBlobEntry = Readonly<{
  accountId: AccountId
  blobId: BlobId
  sizeBytes: number
  createdAt: Date
}>

/**
 * Standalone: blobs are not part of the account database (an object store in production). `entries` lists
 * them for the in-memory maintenance queries; `now` stamps each blob when its write starts.
 */
export const inMemoryBlobStore = (
  now: () => Date = () => new Date(),
): BlobStore & { readonly entries: () => ReadonlyArray<InMemoryBlobEntry> } => {
  const blobs = new Map<string, Uint8Array[]>()
  const created = new Map<string, Date>()

  const write =
    (
      accountId: AccountId,
      blobId: BlobId,
      chunks: AsyncIterable<Uint8Array>,
    ): TE.TaskEither<Unavailable, { readonly sizeBytes: number }> =>
    async () => {
      const key = blobKey(accountId, blobId)
      if (blobs.has(key)) return E.left(memoryFailure('duplicate blob id'))
      const stored: Uint8Array[] = []
      blobs.set(key, stored)
      created.set(key, now())
      let sizeBytes = 0
      try {
        for await (const chunk of chunks) {
          stored.push(Uint8Array.from(chunk))
          sizeBytes += chunk.length
        }
        return E.right({ sizeBytes })
      } catch (cause) {
        blobs.delete(key)
        created.delete(key)
        return E.left(unavailable('blobs')(cause))
      }
    }

  const entries = (): ReadonlyArray<InMemoryBlobEntry> =>
    [...blobs].map(([key, chunks]) => {
      const [accountId, blobId] = key.split('/') as [AccountId, BlobId]
      const sizeBytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
      return { accountId, blobId, sizeBytes, createdAt: created.get(key) ?? new Date(0) }
    })

  return {
    write,
    entries,
    read: (accountId, blobId, range) => ({
      [Symbol.asyncIterator]: () => readLazily(() => blobs.get(blobKey(accountId, blobId)), range),
    }),
    delete: (accountId, blobId) => TE.fromIO(() => void blobs.delete(blobKey(accountId, blobId))),
    deleteAccount: (accountId) =>
      TE.fromIO(() => {
        for (const key of blobs.keys()) if (key.startsWith(`${accountId}/`)) blobs.delete(key)
      }),
  }
}

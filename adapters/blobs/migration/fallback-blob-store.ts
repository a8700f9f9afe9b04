/**
 * Knows how to serve blobs from two stores at once, so a deployment moving its blobs between PostgreSQL and a
 * folder (`zkeb-admin blobs migrate`) never loses sight of one: new blobs go to `primary`; a read tries
 * `primary` and, when that fails before its first byte (the blob is not there), `secondary`; deletions and
 * account deletions go to both; the garbage-collection listing merges both, each blob once.
 * With `secondary` empty (every blob moved) it costs a failed lookup only for blobs that exist nowhere.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { BlobRef, BlobStore, ByteRange } from '../../../application/ports/blob-store'
import type { AccountId, BlobId } from '../../../domain/ids'
import { drain, type Opened, opened } from './first-chunk'

const keyOf = (b: BlobRef): string => `${b.accountId}/${b.blobId}`

/** The primary's bytes; the secondary's when the primary cannot even start (the blob is not there). */
async function* readEither(
  primary: BlobStore,
  secondary: BlobStore,
  accountId: AccountId,
  blobId: BlobId,
  range: ByteRange | undefined,
): AsyncGenerator<Uint8Array> {
  let source: Opened
  try {
    source = await opened(primary.read(accountId, blobId, range))
  } catch (missing) {
    // Nowhere: the primary's reason is the one to report.
    source = await opened(secondary.read(accountId, blobId, range)).catch(() => {
      throw missing
    })
  }
  yield* drain(source)
}

/**
 * Both listings after `after`, merged in key order without repeats, cut to `limit`: each store's first `limit`
 * blobs contain the union's first `limit`, so paging by the last blob returned stays exact.
 */
const mergedListing =
  (primary: BlobStore, secondary: BlobStore): BlobStore['listOlderThan'] =>
  (cutoff, after, limit) =>
    pipe(
      TE.Do,
      TE.apS('a', primary.listOlderThan(cutoff, after, limit)),
      TE.apS('b', secondary.listOlderThan(cutoff, after, limit)),
      TE.map(({ a, b }) => {
        const all = new Map<string, BlobRef>()
        for (const ref of [...a, ...b]) all.set(keyOf(ref), ref)
        return [...all.keys()]
          .sort()
          .slice(0, limit)
          .map((key) => all.get(key)!)
      }),
    )

export const fallbackBlobStore = (primary: BlobStore, secondary: BlobStore): BlobStore => ({
  write: primary.write,
  read: (accountId, blobId, range) => ({
    [Symbol.asyncIterator]: () => readEither(primary, secondary, accountId, blobId, range),
  }),
  delete: (accountId, blobId) =>
    pipe(
      primary.delete(accountId, blobId),
      TE.flatMap(() => secondary.delete(accountId, blobId)),
    ),
  deleteAccount: (accountId) =>
    pipe(
      primary.deleteAccount(accountId),
      TE.flatMap(() => secondary.deleteAccount(accountId)),
    ),
  listOlderThan: mergedListing(primary, secondary),
})

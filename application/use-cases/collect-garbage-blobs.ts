import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as RA from 'fp-ts/ReadonlyArray'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import type { BlobRef } from '../ports/blob-store'

/**
 * Deletes blobs that no backup record names, live or trashed: what a crash between an upload's write and its
 * commit (or a failed cleanup) leaves behind. Only blobs older than the grace period are considered, so an
 * upload still streaming or about to commit is never touched: the grace must exceed the longest upload.
 */
export type CollectGarbageBlobs = () => TE.TaskEither<Unavailable, { readonly collected: number }>
export type CollectGarbageBlobsDeps = Pick<Ports, 'backups' | 'blobs' | 'clock' | 'settings'>

const pageSize = 500

const keyOf = (b: BlobRef): string => `${b.accountId}/${b.blobId}`

/** Asks which of the page are referenced, then deletes the rest one by one; returns how many went. */
const collectPage =
  (deps: CollectGarbageBlobsDeps) =>
  (page: ReadonlyArray<BlobRef>): TE.TaskEither<Unavailable, number> =>
    pipe(
      deps.backups.referencedBlobs(page),
      TE.map((referenced) => new Set(referenced.map(keyOf))),
      TE.map((live) => page.filter((b) => !live.has(keyOf(b)))),
      TE.flatMap((garbage) =>
        pipe(
          garbage,
          RA.traverse(TE.ApplicativeSeq)((b) => deps.blobs.delete(b.accountId, b.blobId)),
          TE.as(garbage.length),
        ),
      ),
    )

/** Keyset pages: resuming after the last blob seen stays correct while the blobs before it are deleted. */
const collectFrom =
  (deps: CollectGarbageBlobsDeps, cutoff: Date) =>
  (after: O.Option<BlobRef>, soFar: number): TE.TaskEither<Unavailable, number> =>
    pipe(
      deps.blobs.listOlderThan(cutoff, after, pageSize),
      TE.flatMap((page) =>
        pipe(
          collectPage(deps)(page),
          TE.flatMap((collected) =>
            page.length < pageSize
              ? TE.right(soFar + collected)
              : collectFrom(deps, cutoff)(RA.last(page), soFar + collected),
          ),
        ),
      ),
    )

export const collectGarbageBlobs =
  (deps: CollectGarbageBlobsDeps): CollectGarbageBlobs =>
  () =>
    pipe(
      TE.fromIO(() => new Date(deps.clock.now().getTime() - deps.settings.blobGarbageGraceSeconds * 1000)),
      TE.flatMap((cutoff) => collectFrom(deps, cutoff)(O.none, 0)),
      TE.map((collected) => ({ collected })),
    )

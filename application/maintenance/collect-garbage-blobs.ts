import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as RA from 'fp-ts/ReadonlyArray'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { BlobRef } from '../ports/blob-store'

/**
 * Deletes blobs that no backup record names, live or trashed: what a crash between an upload's write and its
 * commit (or a failed cleanup) leaves behind. Only blobs older than the grace period are considered, so an
 * upload still streaming or about to commit is never touched: the grace must exceed the longest upload.
 * It asks the blob store which blobs exist and the backup records which are named, so it works with any blob
 * store (PostgreSQL or S3). The background schedule and `zkeb-admin gc-blobs` both run it.
 */
export type CollectGarbageOptions = Readonly<{
  /** Overrides the settings' grace period (operators: `--grace-seconds`). */
  graceSeconds?: number
  /** Count the unreferenced blobs, delete none. */
  dryRun?: boolean
  /** Called after each page with the running totals. */
  onProgress?: (progress: GarbageCollected) => void
}>
export type GarbageCollected = Readonly<{ unreferenced: number; collected: number }>
export type CollectGarbageBlobs = (
  options?: CollectGarbageOptions,
) => TE.TaskEither<Unavailable, GarbageCollected>
export type CollectGarbageBlobsDeps = Pick<Ports, 'backups' | 'blobs' | 'clock' | 'settings'>

const pageSize = 500

const keyOf = (b: BlobRef): string => `${b.accountId}/${b.blobId}`

/** Asks which of the page are referenced, then (unless dry) deletes the rest one by one. */
const collectPage =
  (deps: CollectGarbageBlobsDeps, dryRun: boolean) =>
  (page: ReadonlyArray<BlobRef>): TE.TaskEither<Unavailable, GarbageCollected> =>
    pipe(
      deps.backups.referencedBlobs(page),
      TE.map((referenced) => new Set(referenced.map(keyOf))),
      TE.map((live) => page.filter((b) => !live.has(keyOf(b)))),
      TE.flatMap((garbage) =>
        dryRun
          ? TE.right({ unreferenced: garbage.length, collected: 0 })
          : pipe(
              garbage,
              RA.traverse(TE.ApplicativeSeq)((b) => deps.blobs.delete(b.accountId, b.blobId)),
              TE.as({ unreferenced: garbage.length, collected: garbage.length }),
            ),
      ),
    )

const add = (a: GarbageCollected, b: GarbageCollected): GarbageCollected => ({
  unreferenced: a.unreferenced + b.unreferenced,
  collected: a.collected + b.collected,
})

/** Keyset pages: resuming after the last blob seen stays correct while the blobs before it are deleted. */
const collectFrom =
  (deps: CollectGarbageBlobsDeps, cutoff: Date, options: CollectGarbageOptions) =>
  (after: O.Option<BlobRef>, soFar: GarbageCollected): TE.TaskEither<Unavailable, GarbageCollected> =>
    pipe(
      deps.blobs.listOlderThan(cutoff, after, pageSize),
      TE.flatMap((page) =>
        pipe(
          collectPage(deps, options.dryRun === true)(page),
          TE.map((done) => add(soFar, done)),
          TE.tap((total) => TE.fromIO(() => options.onProgress?.(total))),
          TE.flatMap((total) =>
            page.length < pageSize
              ? TE.right(total)
              : collectFrom(deps, cutoff, options)(RA.last(page), total),
          ),
        ),
      ),
    )

export const collectGarbageBlobs =
  (deps: CollectGarbageBlobsDeps): CollectGarbageBlobs =>
  (options = {}) =>
    pipe(
      TE.fromIO(() => {
        const grace = options.graceSeconds ?? deps.settings.blobGarbageGraceSeconds
        return new Date(deps.clock.now().getTime() - grace * 1000)
      }),
      TE.flatMap((cutoff) => collectFrom(deps, cutoff, options)(O.none, { unreferenced: 0, collected: 0 })),
    )

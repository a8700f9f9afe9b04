/** Service-wide maintenance: statistics and the collection of blobs no backup record names. */
import { pipe } from 'fp-ts/function'
import * as RA from 'fp-ts/ReadonlyArray'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'
import type { ServiceStats } from '../ports/maintenance-queries'
import type { AdminPorts } from './ports'

export type GetServiceStats = () => TE.TaskEither<Unavailable, ServiceStats>
export const getServiceStats =
  (deps: Pick<AdminPorts, 'maintenance'>): GetServiceStats =>
  () =>
    deps.maintenance.stats()

export type CollectBlobsOptions = Readonly<{
  /** Only blobs older than this are candidates: an upload in flight has its blob before its record. */
  graceSeconds: number
  /** Report what would go, delete nothing. */
  dryRun?: boolean
  onProgress?: (deleted: number) => void
}>

/** One day: far longer than any upload (5 GiB at a slow 1 MB/s is under 2 h). */
export const defaultBlobGraceSeconds = 24 * 60 * 60
const batchSize = 500

const sweep =
  (deps: Pick<AdminPorts, 'maintenance' | 'blobs'>, cutoff: Date, options: CollectBlobsOptions) =>
  (done: number): TE.TaskEither<Unavailable, number> =>
    pipe(
      deps.maintenance.orphanBlobs(cutoff, batchSize),
      TE.flatMap((batch) =>
        options.dryRun === true
          ? TE.right(done + batch.length)
          : pipe(
              batch,
              RA.traverse(TE.ApplicativeSeq)((blob) => deps.blobs.delete(blob.accountId, blob.blobId)),
              TE.tap(() => TE.fromIO(() => options.onProgress?.(done + batch.length))),
              TE.flatMap(() =>
                batch.length < batchSize
                  ? TE.right(done + batch.length)
                  : sweep(deps, cutoff, options)(done + batch.length),
              ),
            ),
      ),
    )

/** Deletes (or with dryRun counts) blobs no backup names, written more than `graceSeconds` ago. */
export type CollectOrphanBlobs = (
  options: CollectBlobsOptions,
) => TE.TaskEither<Unavailable, Readonly<{ orphans: number; deleted: number }>>
export const collectOrphanBlobs =
  (deps: Pick<AdminPorts, 'maintenance' | 'blobs' | 'clock'>): CollectOrphanBlobs =>
  (options) =>
    pipe(
      TE.fromIO(() => new Date(deps.clock.now().getTime() - options.graceSeconds * 1000)),
      TE.flatMap((cutoff) => sweep(deps, cutoff, options)(0)),
      TE.map((orphans) => ({ orphans, deleted: options.dryRun === true ? 0 : orphans })),
    )

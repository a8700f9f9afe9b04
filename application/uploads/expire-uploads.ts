import { pipe } from 'fp-ts/function'
import * as RA from 'fp-ts/ReadonlyArray'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { discardUpload } from './terminate-upload'

/**
 * Collects resumable uploads past their expiry: each session is deleted (releasing its quota reservation),
 * then its parts' blobs. The background schedule and `zkeb-admin expire-uploads` both run it.
 */
export type ExpireUploads = () => TE.TaskEither<Unavailable, { readonly expired: number }>
export type ExpireUploadsDeps = Pick<Ports, 'uploads' | 'blobs' | 'clock'>

const batchSize = 100

const expireFrom =
  (deps: ExpireUploadsDeps, cutoff: Date) =>
  (soFar: number): TE.TaskEither<Unavailable, number> =>
    pipe(
      deps.uploads.expired(cutoff, batchSize),
      TE.flatMap((batch) =>
        pipe(
          batch,
          RA.traverse(TE.ApplicativeSeq)((ref) => discardUpload(deps, ref.accountId, ref.uploadId)),
          TE.flatMap(() =>
            batch.length < batchSize
              ? TE.right(soFar + batch.length)
              : expireFrom(deps, cutoff)(soFar + batch.length),
          ),
        ),
      ),
    )

export const expireUploads =
  (deps: ExpireUploadsDeps): ExpireUploads =>
  () =>
    pipe(
      TE.fromIO(deps.clock.now),
      TE.flatMap((now) => expireFrom(deps, now)(0)),
      TE.map((expired) => ({ expired })),
    )

import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { AccountId, BlobId } from '../../domain/ids'
import { type UploadId, type UploadNotFound, uploadNotFound } from '../../domain/upload-session'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** Abandons an upload (tus termination): its reservation is released and its parts deleted. */
export type TerminateUpload = (
  uploadId: UploadId,
  caller: Caller,
) => TE.TaskEither<UploadNotFound | Unavailable, void>
export type TerminateUploadDeps = Pick<Ports, 'uploads' | 'blobs'>

/**
 * Session first, blobs after: a failure between the two leaves unreferenced blobs for the blob collector,
 * never a session naming deleted parts. `extra` are blobs written for the upload but not yet recorded.
 */
export const discardUpload = (
  deps: TerminateUploadDeps,
  accountId: AccountId,
  uploadId: UploadId,
  extra: ReadonlyArray<BlobId> = [],
): TE.TaskEither<Unavailable, void> =>
  pipe(
    deps.uploads.remove(accountId, uploadId),
    TE.flatMap((parts) =>
      TE.fromTask(async () => {
        // Best effort, one by one: what is left behind is unreferenced and the blob collector's.
        for (const blobId of [...parts.map((p) => p.blobId), ...extra])
          await deps.blobs.delete(accountId, blobId)()
      }),
    ),
  )

export const terminateUpload =
  (deps: TerminateUploadDeps): TerminateUpload =>
  (uploadId, caller) =>
    pipe(
      deps.uploads.find(caller.accountId, uploadId),
      TE.flatMap(TE.fromOption(() => uploadNotFound)),
      TE.flatMap(() => discardUpload(deps, caller.accountId, uploadId)),
    )

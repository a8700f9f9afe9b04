import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { isExpired, type UploadId, type UploadNotFound, uploadNotFound } from '../../domain/upload-session'
import type { UploadSession } from '../../domain/upload-session'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** The caller's live upload session (tus HEAD): an expired one is gone, even before it is collected. */
export type FindUpload = (
  uploadId: UploadId,
  caller: Caller,
) => TE.TaskEither<UploadNotFound | Unavailable, UploadSession>
export type FindUploadDeps = Pick<Ports, 'uploads' | 'clock'>

export const liveSession = (
  deps: FindUploadDeps,
  caller: Caller,
  uploadId: UploadId,
): TE.TaskEither<UploadNotFound | Unavailable, UploadSession> =>
  pipe(
    deps.uploads.find(caller.accountId, uploadId),
    TE.map(O.filter((session) => !isExpired(session, deps.clock.now()))),
    TE.flatMap(TE.fromOption(() => uploadNotFound)),
  )

export const findUpload =
  (deps: FindUploadDeps): FindUpload =>
  (uploadId, caller) =>
    liveSession(deps, caller, uploadId)

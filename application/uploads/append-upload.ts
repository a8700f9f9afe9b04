import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Backup } from '../../domain/backup'
import type { UploadTooLarge } from '../../domain/errors'
import type { BlobId, Sha256Hex } from '../../domain/ids'
import {
  type UploadChecksumMismatch,
  uploadChecksumMismatch,
  type UploadId,
  type UploadNotFound,
  type UploadOffsetConflict,
  uploadOffsetConflict,
  type UploadPart,
  type UploadSession,
} from '../../domain/upload-session'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { finishUpload, type FinishUploadDeps } from './finish-upload'
import { liveSession } from './find-upload'
import { meteredContent } from '../backups/metered-content'
import { discardUpload } from './terminate-upload'
import type { UploadBackupError } from '../backups/upload-input'

export type AppendUploadInput = Readonly<{
  uploadId: UploadId
  /** Where the client believes the upload stands (tus Upload-Offset). */
  offsetBytes: number
  /** SHA-256 the client computed over this part (tus Upload-Checksum), if it sent one. */
  checksum: O.Option<Sha256Hex>
}>
/** The new offset; and the backup, when this part completed the upload and it was committed. */
export type AppendUploadOutput = Readonly<{ offsetBytes: number; backup: O.Option<Backup> }>
export type AppendUploadError =
  UploadNotFound | UploadOffsetConflict | UploadChecksumMismatch | UploadTooLarge | UploadBackupError
/**
 * Stores one PATCH's body as a part (a blob of its own) and advances the offset by what arrived, even when
 * the client stopped early. A part whose checksum does not match is discarded and the offset stays. The part
 * that completes the upload is not recorded: the upload is finished with it (see finish-upload) and then
 * discarded; if finishing fails for a passing reason the part is dropped and the offset stays, so the client
 * retries it, and if it fails for good (hash, signature, device) the whole upload is discarded.
 */
export type AppendUpload = (
  input: AppendUploadInput,
  content: AsyncIterable<Uint8Array>,
  caller: Caller,
) => TE.TaskEither<AppendUploadError, AppendUploadOutput>
export type AppendUploadDeps = FinishUploadDeps & Pick<Ports, 'uploads'>

type Written = Readonly<{ part: UploadPart; sha256: Sha256Hex }>

const dropBlob = (deps: AppendUploadDeps, session: UploadSession, blobId: BlobId) =>
  TE.fromTask(async () => void (await deps.blobs.delete(session.accountId, blobId)()))

/** Streams the body into a new blob, at most the bytes the upload still lacks. */
const writePart = (
  deps: AppendUploadDeps,
  session: UploadSession,
  content: AsyncIterable<Uint8Array>,
): TE.TaskEither<Unavailable | UploadTooLarge, Written> => {
  const blobId = deps.ids.uuid() as BlobId
  const remaining = session.lengthBytes - session.offsetBytes
  const metered = meteredContent(content, deps.hasher.sha256Stream(), remaining, undefined)
  return pipe(
    deps.blobs.write(session.accountId, blobId, metered.chunks),
    TE.mapError((e): Unavailable | UploadTooLarge => {
      const stopped = metered.stopped()
      return stopped?._tag === 'UploadTooLarge' ? stopped : e
    }),
    TE.map(({ sizeBytes }) => ({ part: { blobId, sizeBytes }, sha256: metered.digestHex() })),
  )
}

const checked =
  (deps: AppendUploadDeps, session: UploadSession, checksum: O.Option<Sha256Hex>) =>
  (written: Written): TE.TaskEither<UploadChecksumMismatch, Written> =>
    O.isNone(checksum) || checksum.value === written.sha256
      ? TE.right(written)
      : pipe(
          dropBlob(deps, session, written.part.blobId),
          TE.flatMap(() => TE.left(uploadChecksumMismatch)),
        )

/** Compare-and-set on the offset; the loser's blob is deleted. */
const record = (deps: AppendUploadDeps, session: UploadSession, part: UploadPart) =>
  pipe(
    deps.uploads.appendPart(session.accountId, session.uploadId, session.offsetBytes, part),
    TE.map((offsetBytes): AppendUploadOutput => ({ offsetBytes, backup: O.none })),
    TE.orElseW((e) =>
      pipe(
        dropBlob(deps, session, part.blobId),
        TE.flatMap(() => TE.left(e)),
      ),
    ),
  )

const finish = (deps: AppendUploadDeps, session: UploadSession, last: UploadPart, caller: Caller) =>
  pipe(
    deps.uploads.parts(session.accountId, session.uploadId),
    TE.flatMap((parts) => finishUpload(deps)(session, [...parts, last], caller)),
    TE.orElseW((e) =>
      e._tag === 'Unavailable'
        ? pipe(
            dropBlob(deps, session, last.blobId),
            TE.flatMap(() => TE.left(e)),
          )
        : pipe(
            discardUpload(deps, session.accountId, session.uploadId, [last.blobId]),
            TE.flatMap(() => TE.left(e)),
          ),
    ),
    TE.tap(() => discardUpload(deps, session.accountId, session.uploadId, [last.blobId])),
    TE.map(({ backup }): AppendUploadOutput => ({
      offsetBytes: session.lengthBytes,
      backup: O.some(backup),
    })),
  )

const store =
  (deps: AppendUploadDeps, caller: Caller, session: UploadSession) =>
  ({ part }: Written): TE.TaskEither<AppendUploadError, AppendUploadOutput> => {
    if (part.sizeBytes === 0)
      return pipe(
        dropBlob(deps, session, part.blobId),
        TE.map(() => ({ offsetBytes: session.offsetBytes, backup: O.none })),
      )
    return session.offsetBytes + part.sizeBytes < session.lengthBytes
      ? record(deps, session, part)
      : finish(deps, session, part, caller)
  }

export const appendUpload =
  (deps: AppendUploadDeps): AppendUpload =>
  (input, content, caller) =>
    pipe(
      liveSession(deps, caller, input.uploadId),
      TE.filterOrElseW(
        (session) => session.offsetBytes === input.offsetBytes,
        (session) => uploadOffsetConflict(session.offsetBytes),
      ),
      TE.flatMap((session) =>
        pipe(
          writePart(deps, session, content),
          TE.flatMap(checked(deps, session, input.checksum)),
          TE.flatMap(store(deps, caller, session)),
        ),
      ),
    )

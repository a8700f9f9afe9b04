/**
 * Knows how the resumable-upload failures look on the wire: tus's own statuses where the protocol names one
 * (409 offset, 460 checksum, 404 unknown upload) and the API's JSON error bodies for everything else, thrown
 * as @tus/server expects (`{status_code, body}`), so the one-shot route and tus report the same codes.
 * SECURITY: bodies are the fixed messages of error-response; a dependency failure is logged by class only.
 */
import type {
  UploadChecksumMismatch,
  UploadNotFound,
  UploadOffsetConflict,
} from '../../../domain/upload-session'
import { type ApplicationError, type HttpError, invalidInput, toHttpError } from '../error-response'
import type { HttpLogger } from '../http-types'
import { errorBody, logIfUnavailable } from '../respond'

/**
 * What @tus/server answers when a DataStore call throws it: its `status_code` and `body`, plus the headers the
 * API sends with that error (Retry-After on 503), which @tus/server cannot take from a thrown error: the route
 * adds them to the answer (routes/uploads.ts).
 */
export class TusFailure extends Error {
  constructor(
    readonly status_code: number,
    readonly body: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`tus answer ${status_code}`)
  }
}

export type UploadFailure = ApplicationError | UploadNotFound | UploadOffsetConflict | UploadChecksumMismatch

export const tusFixedError = (status: number, code: string, message: string): HttpError => ({
  status,
  code,
  message,
  retryable: false,
})

/** tus's own statuses for its own failures; every other failure as the rest of the API answers it. */
export const tusHttpError = (e: UploadFailure): HttpError => {
  if (e._tag === 'UploadNotFound')
    return tusFixedError(404, 'upload-not-found', 'No such upload, or it expired.')
  if (e._tag === 'UploadOffsetConflict')
    return tusFixedError(
      409,
      'upload-offset-conflict',
      'Upload-Offset does not match the upload; ask with HEAD.',
    )
  if (e._tag === 'UploadChecksumMismatch')
    return tusFixedError(
      460,
      'checksum-mismatch',
      'The part does not match its Upload-Checksum; it was discarded.',
    )
  return toHttpError(e)
}

export const asTusFailure = (e: HttpError, requestId: string): TusFailure =>
  new TusFailure(e.status, JSON.stringify(errorBody(e, requestId)), e.headers)

/** Logs a dependency failure (never its values) and returns what @tus/server should answer. */
export const tusFailure = (logger: HttpLogger, requestId: string, e: UploadFailure): TusFailure => {
  logIfUnavailable(logger, requestId, e)
  return asTusFailure(tusHttpError(e), requestId)
}

export const invalidMetadata = (paths: ReadonlyArray<string>, requestId: string): TusFailure =>
  asTusFailure(invalidInput(paths), requestId)

const tusOwnCodes: Readonly<Record<number, string>> = {
  400: 'invalid-input',
  404: 'upload-not-found',
  409: 'upload-offset-conflict',
  410: 'upload-not-found',
  412: 'tus-version-unsupported',
  413: 'payload-too-large',
}

/** The code of an error @tus/server answered by itself (its bodies are plain text), for logs and metrics. */
export const tusOwnErrorCode = (status: number): string => tusOwnCodes[status] ?? 'tus-error'

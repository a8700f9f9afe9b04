/**
 * Knows how to make @tus/server's answer one the rest of the API would give: without CORS headers (the API
 * grants other origins nothing), and every failure as api-v1's JSON error body. @tus/server writes its own
 * failures as plain text (a missing Tus-Resumable, a malformed header, an extension it refuses) and the
 * store's JSON bodies without a content type.
 * SECURITY: a plain-text body is matched against @tus/server's fixed messages, never copied to the answer.
 */
import { ERRORS, HEADERS } from '@tus/server'
import {
  type HttpError,
  internalError,
  invalidInput,
  payloadTooLarge,
  unavailableError,
  unsupportedMediaType,
} from '../error-response'
import { errorBody } from '../respond'
import { tusFixedError } from './tus-errors'
import { tusRequests } from './tus-request'

const tusVersion = '1.0.0'

const versionUnsupported: HttpError = {
  ...tusFixedError(412, 'tus-version-unsupported', 'Tus-Resumable must be 1.0.0.'),
  headers: { 'Tus-Version': tusVersion },
}
const wrongContentType = unsupportedMediaType('application/offset+octet-stream')
const notFound = tusFixedError(404, 'upload-not-found', 'No such upload, or it expired.')

/** @tus/server's own failures (its fixed messages), as the API answers the same problem. */
const ownFailures = (maxUploadBytes: number): ReadonlyMap<string, HttpError> =>
  new Map([
    [ERRORS.MISSING_OFFSET.body, invalidInput(['Upload-Offset'])],
    [ERRORS.INVALID_CONTENT_TYPE.body, wrongContentType],
    [ERRORS.INVALID_LENGTH.body, invalidInput(['Upload-Length'])],
    [ERRORS.INVALID_METADATA.body, invalidInput(['Upload-Metadata'])],
    // Extensions the store does not offer: 400 naming the header, as an unknown field is elsewhere.
    [ERRORS.UNSUPPORTED_CREATION_DEFER_LENGTH_EXTENSION.body, invalidInput(['Upload-Defer-Length'])],
    [ERRORS.UNSUPPORTED_CONCATENATION_EXTENSION.body, invalidInput(['Upload-Concat'])],
    [ERRORS.FILE_NOT_FOUND.body, notFound],
    [ERRORS.FILE_NO_LONGER_EXISTS.body, { ...notFound, status: 410 }],
    [
      ERRORS.INVALID_OFFSET.body,
      tusFixedError(409, 'upload-offset-conflict', 'Upload-Offset does not match the upload; ask with HEAD.'),
    ],
    [ERRORS.ERR_SIZE_EXCEEDED.body, payloadTooLarge(maxUploadBytes)],
    [ERRORS.ERR_MAX_SIZE_EXCEEDED.body, payloadTooLarge(maxUploadBytes)],
    // Another request on the same upload holds its lock: a concurrent change won.
    [
      ERRORS.ABORTED.body,
      { ...tusFixedError(409, 'conflict', 'A concurrent change won; retry.'), retryable: true },
    ],
    [ERRORS.ERR_LOCK_TIMEOUT.body, unavailableError],
  ])

/** `Invalid upload-offset tus-resumable` (its header check) names headers in lower case. */
const canonicalHeader = (name: string): string =>
  HEADERS.find((known) => known.toLowerCase() === name) ?? name

const invalidHeaders = /^Invalid ((?:[a-z0-9-]+ ?)+)\n?$/

/** The API's error for one of @tus/server's own plain-text failures. */
const ownFailure = (status: number, text: string, maxUploadBytes: number): HttpError => {
  const known = ownFailures(maxUploadBytes).get(text)
  if (known !== undefined) return known
  if (status === 412) return versionUnsupported
  const invalid = status === 400 ? invalidHeaders.exec(text) : null
  if (invalid !== null) {
    const names = invalid[1]!.trim().split(' ')
    // As on every other route, a body of the wrong type is refused as such first.
    return names.includes('content-type') ? wrongContentType : invalidInput(names.map(canonicalHeader))
  }
  // Anything else it answers by itself is a failure of the server (a store that threw, a bug).
  return status >= 500 ? internalError : tusFixedError(status, 'invalid-input', 'The request was refused.')
}

/** The store's failures are api-v1 bodies already (tus-errors.ts), sent as they are. */
const isApiErrorBody = (text: string): boolean => {
  try {
    return typeof (JSON.parse(text) as { error?: { code?: unknown } }).error?.code === 'string'
  } catch {
    return false
  }
}

const withoutCors = (headers: Headers): Headers => {
  const kept = new Headers()
  for (const [name, value] of headers) if (!name.startsWith('access-control-')) kept.set(name, value)
  return kept
}

/** @tus/server's `answer` to the current request, as the API answers. */
export const apiStyleTusAnswer = async (
  answer: Response,
  requestId: string,
  maxUploadBytes: number,
): Promise<Response> => {
  const headers = withoutCors(answer.headers)
  if (answer.status < 400) return new Response(answer.body, { status: answer.status, headers })
  const text = await answer.text()
  let body = text
  let status = answer.status
  if (!isApiErrorBody(text)) {
    const error = ownFailure(answer.status, text, maxUploadBytes)
    for (const [name, value] of Object.entries(error.headers ?? {})) headers.set(name, value)
    body = JSON.stringify(errorBody(error, requestId))
    status = error.status
    // For the access log and metrics (routes/uploads.ts).
    const request = tusRequests.getStore()
    if (request !== undefined) request.errorCode = error.code
  }
  headers.set('Content-Type', 'application/json; charset=utf-8')
  headers.set('Content-Length', String(Buffer.byteLength(body)))
  return new Response(body, { status, headers })
}

/**
 * Knows how every failure looks on the wire: one exhaustive mapping from the application's tagged errors to
 * `{status, code, retryable, details?}`, plus the edge's own errors (bad JSON, wrong content type, ...).
 * SECURITY: messages are fixed strings; details carry only paths, reasons, the caller's own ids (object ids are
 * keyed HMACs the caller sent) and numbers.
 */
import { absurd } from 'fp-ts/function'
import type { Conflict, RateLimited, Unavailable } from '../../application/errors'
import type { DomainError } from '../../domain/errors'

export type HttpError = Readonly<{
  status: number
  code: string
  message: string
  retryable: boolean
  details?: Readonly<Record<string, unknown>>
  headers?: Readonly<Record<string, string>>
}>

export type ApplicationError = DomainError | Unavailable | Conflict | RateLimited

/** Seconds a client should wait after a 503 before retrying. */
export const unavailableRetryAfterSeconds = 5

const httpError = (
  status: number,
  code: string,
  message: string,
  extra: Partial<Pick<HttpError, 'retryable' | 'details' | 'headers'>> = {},
): HttpError => ({ status, code, message, retryable: false, ...extra })

export const invalidInput = (paths: ReadonlyArray<string>): HttpError =>
  httpError(400, 'invalid-input', 'The request has invalid or unknown fields.', { details: { paths } })
export const invalidJson: HttpError = httpError(400, 'invalid-json', 'The request body is not valid JSON.')
export const payloadTooLarge = (maxBytes: number): HttpError =>
  httpError(413, 'payload-too-large', 'The request body is too large.', { details: { maxBytes } })
export const unsupportedMediaType = (expected: string): HttpError =>
  httpError(415, 'unsupported-media-type', 'The request has the wrong content type.', {
    details: { expected },
  })
export const unsupportedContentEncoding: HttpError = httpError(
  415,
  'unsupported-content-encoding',
  'Request bodies are taken without content coding.',
  { headers: { 'Accept-Encoding': 'identity' } },
)
export const requestTimeout: HttpError = httpError(
  408,
  'request-timeout',
  'The request body did not arrive in time.',
  { retryable: true },
)
export const routeNotFound: HttpError = httpError(404, 'not-found', 'No such route.')
export const methodNotAllowed: HttpError = httpError(405, 'method-not-allowed', 'Method not allowed here.')
export const internalError: HttpError = httpError(500, 'internal-error', 'Internal error.')
export const unavailableError: HttpError = httpError(
  503,
  'unavailable',
  'Temporarily unavailable; retry later.',
  {
    retryable: true,
    headers: { 'Retry-After': String(unavailableRetryAfterSeconds) },
  },
)
const invalidTokenChallenge = 'Bearer realm="zkeb", error="invalid_token"'

export const rateLimitedError = (retryAfterSeconds: number): HttpError =>
  httpError(429, 'rate-limited', 'Too many requests; retry later.', {
    retryable: true,
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  })
/** Too many streams of one account at once (middleware/stream-slots.ts); one frees as soon as one ends. */
export const tooManyStreams = (maxStreams: number, retryAfterSeconds: number): HttpError =>
  httpError(429, 'too-many-streams', 'Too many uploads and downloads at once for this account.', {
    retryable: true,
    details: { maxStreams },
    headers: { 'Retry-After': String(retryAfterSeconds) },
  })
export const unauthenticatedError: HttpError = httpError(401, 'unauthenticated', 'Authentication required.', {
  headers: { 'WWW-Authenticate': 'Bearer realm="zkeb"' },
})

/**
 * The one place that gives each application error its status and code: one switch, so a new variant
 * without a status fails to compile (`absurd`). A table, hence longer than the usual function.
 */
export const toHttpError = (e: ApplicationError): HttpError => {
  switch (e._tag) {
    case 'UsernameTaken':
      return httpError(409, 'username-taken', 'This username is taken.')
    case 'AccountNotFound':
      return httpError(404, 'account-not-found', 'The account no longer exists.')
    case 'InvalidCredentials':
      return httpError(401, 'invalid-credentials', 'Invalid credentials.')
    case 'InvalidRecoveryProof':
      return httpError(401, 'invalid-recovery-proof', 'Invalid or expired recovery proof.')
    case 'InvalidRefreshToken':
      return httpError(401, 'invalid-refresh-token', 'Invalid or expired refresh token.')
    case 'RefreshTokenReused':
      return httpError(401, 'refresh-token-reused', 'Refresh token reused; the session was revoked.')
    case 'Unauthenticated':
      return { ...unauthenticatedError, headers: { 'WWW-Authenticate': invalidTokenChallenge } }
    case 'FreshLoginRequired':
      return httpError(
        403,
        'fresh-login-required',
        'Log in again: this needs a recent proof of the password.',
        {
          details: { maxAgeSeconds: e.maxAgeSeconds },
          headers: {
            'WWW-Authenticate': `Bearer realm="zkeb", error="insufficient_user_authentication", max_age=${e.maxAgeSeconds}`,
          },
        },
      )
    case 'VersionMismatch':
      return httpError(412, 'version-mismatch', 'The version you saw is not the current one.', {
        details: { currentVersion: e.currentVersion },
      })
    case 'DeviceNotFound':
      return httpError(404, 'device-not-found', 'No such device.')
    case 'DeviceRevoked':
      return httpError(403, 'device-revoked', 'This device is revoked.')
    case 'DeviceExists':
      return httpError(409, 'device-exists', 'This account already has a device with this public key.')
    case 'BackupNotFound':
      return httpError(404, 'backup-not-found', 'No such backup.')
    case 'BackupExists':
      return httpError(409, 'backup-exists', 'A backup with this id and other content exists.')
    case 'ParentNotFound':
      return httpError(422, 'parent-not-found', 'The parent backup does not exist.', {
        details: { paths: ['ZKEB-Parent-Id'] },
      })
    case 'ContentHashMismatch':
      return httpError(422, 'content-hash-mismatch', 'The content does not match its declared hash.')
    case 'BadSignature':
      return httpError(422, 'bad-signature', 'The signature does not verify.')
    case 'ContentLengthMismatch':
      return httpError(400, 'content-length-mismatch', 'The body length does not match Content-Length.')
    case 'QuotaExceeded':
      return httpError(413, 'quota-exceeded', 'This upload would exceed the quota.', {
        details: { limitBytes: e.limitBytes, usedBytes: e.usedBytes },
      })
    case 'UploadTooLarge':
      return payloadTooLarge(e.maxBytes)
    case 'NotInTrash':
      return httpError(409, 'not-in-trash', 'The backup is not in the trash.')
    case 'RotationIncomplete':
      return httpError(409, 'rotation-incomplete', 'The rotation misses backups (live or trashed).', {
        details:
          e.missingCount === undefined
            ? { missing: e.missing }
            : { missing: e.missing, missingCount: e.missingCount },
      })
    case 'RotationUnknownBackups':
      return httpError(409, 'rotation-unknown-backups', 'The rotation names backups that do not exist.', {
        details: { unknown: e.unknown },
      })
    case 'RotationDuplicateBackups':
      return httpError(400, 'rotation-duplicate-backups', 'The request names a backup more than once.', {
        details: { paths: e.paths },
      })
    case 'KeyRotationNotFound':
      return httpError(404, 'key-rotation-not-found', 'No such key rotation in progress.')
    case 'KeyRotationInProgress':
      return httpError(409, 'key-rotation-in-progress', 'Another key rotation is in progress.', {
        details: { rotationId: e.rotationId },
      })
    case 'RangeNotSatisfiable':
      return httpError(416, 'range-not-satisfiable', 'The requested range is not satisfiable.', {
        headers: { 'Content-Range': `bytes */${e.sizeBytes}` },
      })
    case 'InvalidCursor':
      return httpError(400, 'invalid-cursor', 'The cursor was not issued by this server.')
    case 'InvalidProtocolMessage':
      return invalidInput([e.path])
    case 'ResticTokenNotFound':
      return httpError(404, 'restic-token-not-found', 'No such restic token.')
    case 'SecondFactorRequired':
      return httpError(401, 'second-factor-required', 'This account needs a second factor to log in.', {
        details: { accepted: e.accepted },
      })
    case 'SecondFactorInvalid':
      return httpError(401, 'second-factor-invalid', 'The second factor is wrong, used or expired.')
    case 'FactorNotFound':
      return httpError(404, 'factor-not-found', 'No such second factor.')
    case 'SnapshotKeyNotFound':
      return httpError(404, 'snapshot-key-not-found', 'The account has no snapshot key yet.')
    case 'SnapshotKeyExists':
      return httpError(409, 'snapshot-key-exists', 'Another snapshot key is stored; read and use it.')
    case 'SnapshotKeyNotRotated':
      return httpError(409, 'rotation-incomplete', 'The rotation misses the snapshot key.', {
        details: { missing: [], paths: ['snapshotKey'] },
      })
    case 'SnapshotKeyNotStored':
      return httpError(409, 'snapshot-key-not-found', 'The account has no snapshot key to rotate.', {
        details: { paths: ['snapshotKey'] },
      })
    case 'PackExists':
      return httpError(409, 'pack-exists', 'A pack with this id and other content exists.')
    case 'BadPack':
      return httpError(422, 'bad-pack', 'The pack does not parse.', { details: { reason: e.reason } })
    case 'PackTooLarge':
      return httpError(413, 'pack-too-large', 'The pack is too large.', { details: { maxBytes: e.maxBytes } })
    case 'ObjectsNotFound':
      return httpError(404, 'objects-missing', 'Some objects are not stored.', { details: { ids: e.ids } })
    case 'RefsMissing':
      return httpError(409, 'objects-missing', 'The snapshot references objects that are not stored.', {
        details: { ids: e.ids, missingCount: e.missingCount },
      })
    case 'SnapshotNotFound':
      return httpError(404, 'snapshot-not-found', 'No such snapshot.')
    case 'SnapshotExists':
      return httpError(409, 'snapshot-exists', 'A snapshot with this id and other content exists.')
    case 'Unavailable':
      if (e.full === true)
        return httpError(507, 'insufficient-storage', 'The server has no room to store this now.')
      return unavailableError
    case 'Conflict':
      return httpError(409, 'conflict', 'A concurrent change won; retry.', { retryable: true })
    case 'RateLimited':
      return rateLimitedError(e.retryAfterSeconds)
    default:
      return absurd(e)
  }
}

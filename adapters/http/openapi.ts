/**
 * The project's own API document (api-v1 leaves these choices to it), served at GET /api/openapi.json.
 * A test checks that it names exactly the routes the router serves.
 */
import { defaultJsonBodyTimeoutMs } from './middleware/json-body'
import type { RateLimitRules } from './middleware/rate-limit'
import { backupPaths } from './openapi-paths-backups'
import { keyRotationPaths, keyRotationSchemas } from './openapi-paths-key-rotation'
import { accountPaths } from './openapi-paths'
import { resticDecisions, resticSchemas, resticTokenPaths } from './openapi-paths-restic'
import { secondFactorPaths, secondFactorSchemas } from './openapi-paths-second-factors'
import { schemas } from './openapi-schemas'
import { snapshotDecisions, snapshotPaths, snapshotSchemas } from './openapi-paths-snapshots'
import { uploadDecisions, uploadPaths } from './openapi-paths-uploads'
import type { HttpLimits } from './routes/route-kit'

export type OpenApiInputs = Readonly<{ version: string; limits: HttpLimits; rateLimits: RateLimitRules }>

const decisions = (inputs: OpenApiInputs) => ({
  errors:
    'Every error is {"error":{"code","message","retryable","requestId","details?"}}. details.paths names ' +
    'fields (dot paths such as keyBundle.passwordWrappedUmk, "(root)" for the body itself), query parameters ' +
    'or header names, never values. Unknown JSON fields and query parameters are 400 invalid-input. ' +
    'A 500 internal-error is a bug and exposes nothing. A method a path does not take is 405 ' +
    'method-not-allowed with Allow (a method the server does not know at all too); a path that does not ' +
    'exist is 404 not-found.',
  requestBodies:
    'Request bodies are taken without content coding: a Content-Encoding other than identity is 415 ' +
    'unsupported-content-encoding with Accept-Encoding: identity, before anything is read or stored. A JSON ' +
    'body must arrive whole within limits.jsonBodyTimeoutMs of its headers, else 408 request-timeout ' +
    '(retryable) and the connection closes.',
  statusChoices:
    'parent-not-found is 422; rotation-unknown-backups and rotation-incomplete are 409 (details.unknown / ' +
    'details.missing list the client’s own ids); account-not-found is 404; version-mismatch carries ' +
    'details.currentVersion; quota-exceeded carries details.limitBytes and usedBytes; a concurrent write that ' +
    'lost is 409 conflict (retryable); an upload the blob store has no room for (a full disk) is 507 ' +
    'insufficient-storage and stores nothing.',
  passwordChange:
    'POST /api/v1/account/password/start {registrationRequest} → {registrationResponse}; then ' +
    '/finish {expectedVersion, registrationRecord, passwordWrappedUmk} → {keyBundleVersion}. Other sessions end, ' +
    'and so do the restic tokens not made by the caller’s own session.',
  freshLogin:
    'Password change (start and finish), DELETE /api/v1/account, revoking a device other than the caller’s ' +
    'own and creating a restic token need a recent proof of the password: the session’s OPAQUE login (its ' +
    'refreshes keep the login’s time) at most 300 s old, else 403 fresh-login-required with ' +
    'details.maxAgeSeconds and WWW-Authenticate: Bearer realm="zkeb", error="insufficient_user_authentication", ' +
    'max_age=300 (RFC 9470). Nothing is changed; log in again (sessions/start, sessions/finish) and retry.',
  recovery:
    'POST /api/v1/account/recovery/start {username, recoveryProof} → {recoveryToken, recoveryWrappedUmk, ' +
    'keyBundleVersion}; the client opens the UMK with the recovery key, runs registration/start for its ' +
    'username, then recovery/finish {recoveryToken, registrationRecord, passwordWrappedUmk} → ' +
    '{keyBundleVersion}: one atomic step, no login in between. An unknown username and a wrong proof fail ' +
    'alike (401 invalid-recovery-proof, same body).',
  recoveryBundle:
    'recovery/start adds recoveryWrappedUmk and keyBundleVersion to api-v1’s {recoveryToken}. Without them ' +
    'the client cannot compute the new passwordWrappedUmk before finishing. They are sent only once the ' +
    'proof matched the stored verifier: the wrapped UMK is ciphertext that opens only under ' +
    'HKDF(recoveryKey, "zkeb/v1/recovery-kek"), and the proof (HKDF(recoveryKey, "zkeb/v1/recovery-auth")) ' +
    'does not open it, so it tells a caller nothing the recovery key does not already give. finish answers ' +
    'the new version: anything but keyBundleVersion + 1 means the bundle changed in between (a rotation), ' +
    'and the client must re-read it and re-wrap the UMK.',
  devicePublicKeys:
    'GET /api/v1/devices adds publicKey (the registered Ed25519 raw key, base64url) to each item. It is ' +
    'public by nature; clients verify each backup’s signature over the protocol-v1 signing bytes against ' +
    'the key of the device named in the backup’s deviceId, so a record altered after upload (in storage ' +
    'or on the way) is noticed. The list itself comes from the server: it is not a pinned trust anchor.',
  cursors:
    'nextCursor is opaque (keyset position, base64url); pass it back unchanged. A cursor this server did ' +
    'not issue is 400 invalid-cursor. null means the last page.',
  loginFailedEvents:
    'login-failed is recorded at most once per account every 900 s, for the first failed login of the ' +
    'window, and written after the answer (so a refused sessions/finish takes as long for an unknown ' +
    'username): anyone can fail logins in someone’s name, and must not flood their trail.',
  auditHash:
    'hash = SHA-256 (lowercase hex) of the UTF-8 bytes "zkeb/v1/audit\\n" + eventId + "\\n" + type + "\\n" + ' +
    'at (ISO-8601 with milliseconds, as sent) + "\\n" + (deviceId or "") + "\\n" + requestId + "\\n" + ' +
    'prevHash + "\\n". prevHash of the first event is 64 zeros; each next prevHash is the previous hash.',
  requestIds:
    'X-Request-Id matching ^[A-Za-z0-9._:-]{1,128}$ is echoed (and recorded in audit events); anything ' +
    'else is replaced by a generated UUID. Every response carries it.',
  rateLimits: Object.fromEntries(
    Object.values(inputs.rateLimits).map((rule) => [
      rule.name,
      `${rule.points} per ${rule.windowSeconds} s (sliding window)`,
    ]),
  ),
  rateLimitSubjects:
    'login (sessions/start) and registration (start and finish) per IP and per SHA-256 of the lowercased ' +
    'username; recovery per IP (and per username on start); refresh per IP; every authenticated call per ' +
    'account, restic requests included; failed restic basic auth (restic-auth) per IP (an IP over it is ' +
    'refused before any credential is checked) and per username (its failures are refused, its valid tokens ' +
    'still pass). A registration spends two points. A limiter that is down answers 503 (fails closed). Sliding ' +
    'window: no window of that length, wherever it starts, admits more than the limit; a point returns one ' +
    'window after it was spent (counted per sixtieth of the window, so up to a sixtieth later). ' +
    'RateLimit-Reset and Retry-After: seconds until the oldest counted point returns, at most the window.',
  limits: {
    jsonBodyBytes: inputs.limits.jsonBodyBytes,
    jsonBodyTimeoutMs: inputs.limits.jsonBodyTimeoutMs ?? defaultJsonBodyTimeoutMs,
    maxUploadBytes: inputs.limits.maxUploadBytes,
  },
  ...resticDecisions,
  ...uploadDecisions,
  ...snapshotDecisions,
})

const header = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  description,
  schema,
})

const components = {
  schemas: {
    ...schemas,
    ...resticSchemas,
    ...snapshotSchemas,
    ...secondFactorSchemas,
    ...keyRotationSchemas,
  },
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', description: 'The accessToken of a session.' },
  },
  headers: {
    'X-Request-Id': header('This request’s id (echoed or generated).'),
    'RateLimit-Limit': header('Points per window of the tightest rule.', { type: 'integer' }),
    'RateLimit-Remaining': header('Points left in the window.', { type: 'integer' }),
    'RateLimit-Reset': header('Seconds until a spent point returns.', { type: 'integer' }),
    'Retry-After': header('Seconds to wait before retrying.', { type: 'integer' }),
    'Accept-Encoding': header('identity: the only content coding request bodies may have.'),
    'Content-Range': header('bytes a-b/size on 206; bytes */size on 416.'),
    'WWW-Authenticate': header('Bearer challenge.'),
    ETag: header('"<sha256 of the ciphertext>".'),
  },
}

/** The OpenAPI 3.1 document; pure, built once per app. */
export const openApiDocument = (inputs: OpenApiInputs) => ({
  openapi: '3.1.0',
  info: {
    title: 'ZKEB API',
    version: inputs.version,
    description:
      'Zero-knowledge encrypted backup service, HTTP API v1. The server stores ciphertext and wrapped keys ' +
      'it cannot read. Binary JSON fields are unpadded base64url; times are ISO-8601 UTC. See x-zkeb-decisions ' +
      'for the choices api-v1 leaves to this document.',
  },
  'x-zkeb-decisions': decisions(inputs),
  paths: {
    ...accountPaths,
    ...secondFactorPaths,
    ...backupPaths,
    ...keyRotationPaths,
    ...resticTokenPaths,
    ...uploadPaths,
    ...snapshotPaths,
  },
  components,
})

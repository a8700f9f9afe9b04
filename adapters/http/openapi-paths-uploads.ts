/** The OpenAPI operations of resumable uploads (tus 1.0 at /api/v1/uploads) and the decisions behind them. */
import { headerParameter, operation, pathParameter } from './openapi-operation'
import { parameterSchemas as p } from './openapi-schemas'

const u = 'Resumable uploads'
const tusResumable = headerParameter(
  'Tus-Resumable',
  { const: '1.0.0' },
  true,
  'tus version (else 412 tus-version-unsupported, with Tus-Version).',
)
const uploadId = pathParameter('uploadId', p.uuid, 'The upload, as named by Location at creation.')
const offset = headerParameter(
  'Upload-Offset',
  { type: 'integer', minimum: 0 },
  true,
  'Where this part starts.',
)
const notFound = { 404: ['upload-not-found'], 412: ['tus-version-unsupported'] }

export const uploadDecisions = {
  resumableUploads:
    'tus 1.0 (core, creation, creation-with-upload, termination, expiration, checksum) at /api/v1/uploads, ' +
    'for any tus client; Authorization: Bearer as elsewhere. POST carries the one-shot PUT’s ZKEB-* headers ' +
    'as Upload-Metadata keys backupId, deviceId, sha256, signature, wrappedKey, metadata, parentId (values ' +
    'base64 as tus requires; a bad or missing one is 400 invalid-input naming the key). Checked at creation: ' +
    'the device is active, the parent exists, the id is not taken by other content, Upload-Length ≤ ' +
    'maxUploadBytes (413), and Upload-Length is reserved against the quota together with every other open ' +
    'upload (413 quota-exceeded); one-shot uploads count these reservations too. Each PATCH is stored durably as one part before 204; a client that stops ' +
    'mid-PATCH keeps what arrived. Upload-Checksum: sha256 <base64> per PATCH; a mismatch is 460 and the ' +
    'part is discarded. The PATCH that completes the upload runs the one-shot verification (SHA-256 of the ' +
    'whole, the device signature, quota) and commits the backup atomically before answering: a verification ' +
    'failure (422 content-hash-mismatch / bad-signature, 403 device-revoked, 409 backup-exists) discards the ' +
    'upload; a 503 leaves the offset before that part so the client retries it. Upload-Expires is fixed at ' +
    'creation (UPLOAD_EXPIRY_SECONDS); expired uploads answer 404 and are collected with their parts, ' +
    'releasing the reservation. Sessions live in PostgreSQL: any instance, or a restarted one, resumes them. ' +
    'A creation that carries the whole file (creation-with-upload) completes it at once: 201 with ' +
    'Upload-Offset = Upload-Length and no Upload-Expires, the backup committed; the same creation retried ' +
    'with the same content answers the same (as the one-shot PUT’s 200 retry), with other content under ' +
    'that backupId 409 backup-exists. Answers carry the API’s security headers and no CORS headers, and ' +
    'every error is the API’s JSON body: a missing or malformed tus header is 400 invalid-input naming it, ' +
    'a PATCH body that is not application/offset+octet-stream 415 unsupported-media-type, and ' +
    'Upload-Defer-Length or Upload-Concat (extensions not offered) 400 invalid-input naming the header.',
}

export const uploadPaths = {
  '/api/v1/uploads': {
    options: operation({
      summary: 'tus discovery: version, extensions, maximum size, checksum algorithms',
      tag: u,
      ok: [204, null, 'Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm: sha256.'],
    }),
    post: operation({
      summary: 'Creates a resumable upload (tus creation), reserving its length against the quota',
      tag: u,
      auth: true,
      description: 'See x-zkeb-decisions.resumableUploads.',
      parameters: [
        tusResumable,
        headerParameter('Upload-Length', { type: 'integer', minimum: 1 }, true, 'The whole length.'),
        headerParameter(
          'Upload-Metadata',
          { type: 'string' },
          true,
          'The signed description (see decisions).',
        ),
      ],
      streamedBody: true,
      ok: [
        201,
        null,
        'Created: Location names the upload; Upload-Expires when it will be collected; with a body ' +
          '(creation-with-upload) Upload-Offset, equal to Upload-Length when it completed the backup.',
      ],
      errors: {
        400: ['invalid-input'],
        403: ['device-revoked'],
        404: ['device-not-found'],
        409: ['backup-exists', 'conflict'],
        412: ['tus-version-unsupported'],
        413: ['payload-too-large', 'quota-exceeded'],
        422: ['content-hash-mismatch', 'bad-signature', 'parent-not-found'],
        429: ['too-many-streams'],
      },
    }),
  },
  '/api/v1/uploads/{uploadId}': {
    options: operation({
      summary: 'tus discovery, as on the collection',
      tag: u,
      parameters: [uploadId],
      ok: [204, null, 'As OPTIONS /api/v1/uploads.'],
    }),
    head: operation({
      summary: 'Where the upload stands (tus core): Upload-Offset and Upload-Length',
      tag: u,
      auth: true,
      parameters: [uploadId, tusResumable],
      ok: [200, null, 'Upload-Offset, Upload-Length, Upload-Expires; Cache-Control: no-store.'],
      errors: notFound,
    }),
    patch: operation({
      summary: 'Appends a part (tus core); the part that completes the upload commits the backup',
      tag: u,
      auth: true,
      description: 'Body: application/offset+octet-stream. See x-zkeb-decisions.resumableUploads.',
      parameters: [
        uploadId,
        tusResumable,
        offset,
        headerParameter(
          'Upload-Checksum',
          { type: 'string' },
          false,
          '"sha256 " + base64 of the part’s SHA-256.',
        ),
      ],
      streamedBody: true,
      ok: [204, null, 'Stored: Upload-Offset is the new offset.'],
      errors: {
        ...notFound,
        400: ['invalid-input'],
        403: ['device-revoked'],
        409: ['upload-offset-conflict', 'backup-exists', 'conflict'],
        410: ['upload-not-found'],
        413: ['payload-too-large', 'quota-exceeded'],
        415: ['unsupported-media-type'],
        422: ['content-hash-mismatch', 'bad-signature', 'parent-not-found'],
        460: ['checksum-mismatch'],
        429: ['too-many-streams'],
        507: ['insufficient-storage'],
      },
    }),
    delete: operation({
      summary: 'Abandons the upload (tus termination), releasing its reservation',
      tag: u,
      auth: true,
      parameters: [uploadId, tusResumable],
      ok: [204, null, 'Terminated.'],
      errors: notFound,
    }),
  },
}

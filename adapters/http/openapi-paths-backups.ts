/** The OpenAPI operations of devices, backups, key rotation and the audit trail. */
import { fresh, headerParameter, operation, pathParameter, queryParameter } from './openapi-operation'
import { parameterSchemas as p } from './openapi-schemas'

const d = 'Devices'
const b = 'Backups'
const backupId = pathParameter('backupId', p.uuidV4, 'The backup’s id (UUIDv4).')
const limit = queryParameter(
  'limit',
  { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  'Page size.',
)
const cursor = queryParameter('cursor', p.cursor, 'nextCursor of the previous page.')
const notFound = { 404: ['backup-not-found'] }
const octets = {
  'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
}
const contentHeaders = {
  ETag: { $ref: '#/components/headers/ETag' },
  'Accept-Ranges': { schema: { const: 'bytes' } },
}

const uploadHeaders = [
  headerParameter('ZKEB-Device-Id', p.uuid, true, 'The uploading device (registered, not revoked).'),
  headerParameter('ZKEB-Content-SHA256', p.sha256, true, 'SHA-256 of the body, lowercase hex.'),
  headerParameter('ZKEB-Signature', p.base64url, true, 'Ed25519 over the upload signing bytes (64 bytes).'),
  headerParameter('ZKEB-Wrapped-Key', p.base64url, true, 'The data key wrapped under BKK (≤ 512 bytes).'),
  headerParameter('ZKEB-Metadata', p.base64url, true, 'Encrypted metadata (≤ 8 KiB).'),
  headerParameter('ZKEB-Parent-Id', p.uuidV4, false, 'The backup this one derives from.'),
]

const uploadDescription = [
  'Body: application/octet-stream (else 415), streamed, Content-Length or chunked; a declared length over',
  'the route limit is 413 before reading. A missing or malformed header is 400 invalid-input with the header',
  'name in details.paths. Signing bytes (UTF-8): "zkeb/v1/upload\\n" + backupId + "\\n" + sha256hex(body) +',
  '"\\n" + sizeBytes + "\\n" + sha256hex(encryptedMetadata bytes) + "\\n" + (parentId or "") + "\\n".',
  'Decision: an unknown ZKEB-Parent-Id is 422 parent-not-found (the request is well-formed; the',
  'reference does not verify).',
].join(' ')

export const backupPaths = {
  '/api/v1/devices': {
    post: operation({
      summary: 'Registers a device’s Ed25519 public key',
      tag: d,
      auth: true,
      description:
        'One device per key within an account: a key the account already registered (revoked or not) is ' +
        '409 device-exists. Another account may register the same key.',
      body: 'AddDeviceRequest',
      ok: [201, 'DeviceCreated', 'Registered.'],
      errors: { 409: ['device-exists'] },
    }),
    get: operation({
      summary: 'The account’s devices',
      tag: d,
      auth: true,
      description:
        'Each item also carries publicKey (an added field, see x-zkeb-decisions.devicePublicKeys), so ' +
        'clients can verify the signature of every backup against the device that uploaded it.',
      ok: [200, 'DeviceList', 'Devices.'],
    }),
  },
  '/api/v1/devices/{deviceId}': {
    delete: operation({
      summary: 'Revokes a device: its uploads are refused and its sessions end',
      tag: d,
      auth: true,
      description: `${fresh} Revoking the caller’s own device does not (it is no more than a logout).`,
      parameters: [pathParameter('deviceId', p.uuid, 'The device’s id.')],
      ok: [204, null, 'Revoked (idempotent).'],
      errors: { 403: ['fresh-login-required'], 404: ['device-not-found'] },
    }),
  },
  '/api/v1/backups': {
    get: operation({
      summary: 'Live backups (or the trash), newest first, keyset pages',
      tag: b,
      auth: true,
      description: 'Unknown or repeated query parameters are 400 invalid-input.',
      parameters: [
        limit,
        cursor,
        queryParameter('deviceId', p.uuid, 'Only this device’s uploads.'),
        queryParameter('trash', { type: 'boolean', default: false }, 'true: the trash only.'),
      ],
      ok: [200, 'BackupPage', 'A page.'],
      errors: { 400: ['invalid-input', 'invalid-cursor'] },
    }),
  },
  '/api/v1/backups/{backupId}': {
    get: operation({
      summary: 'One backup’s record',
      tag: b,
      auth: true,
      parameters: [backupId],
      ok: [200, 'Backup', 'The record.'],
      errors: { 400: ['invalid-input'], ...notFound },
    }),
    delete: operation({
      summary: 'Moves a backup to the trash (purged after the retention window)',
      tag: b,
      auth: true,
      parameters: [backupId],
      ok: [204, null, 'Trashed (idempotent).'],
      errors: { 400: ['invalid-input'], ...notFound },
    }),
  },
  '/api/v1/backups/{backupId}/restore': {
    post: operation({
      summary: 'Restores a backup from the trash',
      tag: b,
      auth: true,
      parameters: [backupId],
      ok: [200, 'Backup', 'The restored record.'],
      errors: { 400: ['invalid-input'], ...notFound, 409: ['not-in-trash'] },
    }),
  },
  '/api/v1/backups/{backupId}/content': {
    put: operation({
      summary: 'Uploads a backup’s ciphertext (streamed)',
      tag: b,
      auth: true,
      description: uploadDescription,
      streamedBody: true,
      parameters: [backupId, ...uploadHeaders],
      ok: [201, 'BackupSummary', 'Stored.'],
      more: { 200: { description: 'The same id and hash again: the existing record (idempotent retry).' } },
      errors: {
        400: ['invalid-input', 'content-length-mismatch'],
        403: ['device-revoked'],
        404: ['device-not-found'],
        409: ['backup-exists'],
        413: ['payload-too-large', 'quota-exceeded'],
        415: ['unsupported-media-type'],
        422: ['content-hash-mismatch', 'bad-signature', 'parent-not-found'],
        429: ['too-many-streams'],
        507: ['insufficient-storage'],
      },
    }),
    get: operation({
      summary: 'Downloads a backup’s ciphertext (streamed; trashed backups too, until purged)',
      tag: b,
      auth: true,
      description:
        'ETag is "<sha256>". If-None-Match → 304. One Range (bytes=a-b, a-, -n) → 206 with Content-Range; ' +
        'several ranges or an unparsable header → the whole body; If-Range with another ETag → the whole body.',
      parameters: [
        backupId,
        headerParameter('Range', { type: 'string' }, false, 'One byte range.'),
        headerParameter('If-None-Match', { type: 'string' }, false, 'ETags the client holds.'),
        headerParameter('If-Range', { type: 'string' }, false, 'Honour Range only for this ETag.'),
      ],
      ok: [200, null, 'The whole ciphertext.'],
      okContent: octets,
      more: {
        206: { description: 'The requested range.', headers: contentHeaders, content: octets },
        304: { description: 'The client’s copy is current.', headers: contentHeaders },
      },
      errors: {
        400: ['invalid-input'],
        ...notFound,
        416: ['range-not-satisfiable'],
        429: ['too-many-streams'],
      },
    }),
  },
  '/api/v1/key-rotations': {
    post: operation({
      summary:
        'Rotates the UMK in one request: new key bundle and every backup’s re-wrapped key, all or nothing',
      tag: b,
      auth: true,
      description:
        'Every backup, live and trashed, must be named once (a repeat: 400 rotation-duplicate-backups with ' +
        'details.paths). Bounded by the 64 KiB body (about 400 backups): larger accounts use the staged ' +
        'rotation. Decision: ids that are not the account’s are 409. snapshotKey (the ' +
        'snapshot repository key re-wrapped) is required exactly when the account has one: without it 409 ' +
        'rotation-incomplete with details.paths ["snapshotKey"]; with it and no stored key 409 ' +
        'snapshot-key-not-found. It is applied in the same transaction.',
      body: 'RotateKeysRequest',
      ok: [200, 'KeyBundleVersion', 'Applied.'],
      errors: {
        400: ['rotation-duplicate-backups'],
        409: ['rotation-incomplete', 'rotation-unknown-backups', 'snapshot-key-not-found'],
        412: ['version-mismatch'],
      },
    }),
  },
  '/api/v1/audit': {
    get: operation({
      summary: 'The account’s own audit events, oldest first, hash-chained',
      tag: 'Audit',
      auth: true,
      parameters: [limit, cursor],
      ok: [200, 'AuditPage', 'A page.'],
      errors: { 400: ['invalid-input', 'invalid-cursor'] },
    }),
  },
}

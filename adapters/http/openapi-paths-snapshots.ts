/** The OpenAPI operations and schemas of snapshots (protocol v1.1 §8), and their decisions. */
import { headerParameter, operation, pathParameter, queryParameter } from './openapi-operation'
import { parameterSchemas as p, ref } from './openapi-schemas'

const s = 'Snapshots'
const hex32 = { type: 'string', pattern: '^[0-9a-f]{64}$' }
const objectId = { ...hex32, description: 'A keyed object id (HMAC-SHA256), lowercase hex.' }
const dateTime = { type: 'string', format: 'date-time', description: 'ISO-8601 UTC, milliseconds.' }
const count = { type: 'integer', minimum: 0 }
const b64 = (bytes: string, description: string) => ({
  type: 'string',
  contentEncoding: 'base64url',
  pattern: '^[A-Za-z0-9_-]*$',
  description: `${description} Unpadded base64url, ${bytes} bytes.`,
})

const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required: Object.keys(properties),
})
const ids = (max: number, unique: boolean) => ({
  type: 'array',
  items: objectId,
  minItems: 1,
  maxItems: max,
  ...(unique ? { uniqueItems: true } : {}),
})

export const snapshotSchemas = {
  SnapshotKey: object({ wrappedKey: b64('60', 'nonce | AES-256-GCM(BKK, RK).'), createdAt: dateTime }),
  PutSnapshotKeyRequest: object({ wrappedKey: b64('60', 'nonce | AES-256-GCM(BKK, RK).') }),
  ObjectIds: object({ ids: ids(5000, true) }),
  ReadObjectsRequest: object({ ids: ids(1000, false) }),
  PresentObjects: object({ present: { type: 'array', items: objectId } }),
  PackStored: object({ packId: hex32, sizeBytes: count, objects: count, newObjects: count, newBytes: count }),
  Snapshot: object({
    snapshotId: p.uuidV4,
    seriesId: { ...hex32, description: 'Opaque series id (keyed hash of host and PATHs).' },
    deviceId: p.uuid,
    receivedAt: { ...dateTime, description: 'The server’s clock at commit.' },
    encryptedMetadata: b64('1–65536', 'Metadata encrypted under a key the server never holds.'),
    signature: b64('64', 'Ed25519 over the v1.1 snapshot signing bytes.'),
    refCount: { type: 'integer', minimum: 1, maximum: 2_000_000 },
    refsSha256: p.sha256,
  }),
  SnapshotPage: object({
    items: { type: 'array', items: ref('Snapshot') },
    nextCursor: { oneOf: [p.cursor, { type: 'null' }] },
  }),
  SnapshotStats: object({
    storedBytes: count,
    objects: count,
    packs: count,
    packBytes: count,
    snapshots: count,
  }),
}

const snapshotId = pathParameter('snapshotId', p.uuidV4, 'The snapshot’s id (UUIDv4).')
const binary = (type: string) => ({ [type]: { schema: { type: 'string', contentMediaType: type } } })
const notFound = { 400: ['invalid-input'], 404: ['snapshot-not-found'] }

const createDescription = [
  'Body application/vnd.zkeb.snapshot (else 415): u32be(length of header) | header JSON | refs (32 bytes each,',
  'sorted, unique). Header: exactly {snapshotId, seriesId, deviceId, encryptedMetadata, signature, refCount}.',
  'A header over 128 KiB, unparsable JSON or a short body is 400 invalid-input with details.paths ["(root)"];',
  'refs not sorted, not unique or not refCount long are ["refs"]. Signing bytes (UTF-8): "zkeb/v1.1/snapshot\\n"',
  '+ snapshotId + "\\n" + seriesId + "\\n" + sha256hex(encryptedMetadata) + "\\n" + sha256hex(refs) + "\\n" +',
  'refCount + "\\n". Every ref must be an object the account holds: else 409 objects-missing with details.ids',
  '(the first 1,000) and details.missingCount. Records snapshot-created.',
].join(' ')

const packDescription = [
  'Body application/octet-stream with Content-Length (else 411 length-required), at most 64 MiB (else 413',
  'pack-too-large): "ZKPK" | 0x01 | count (u32) | (id (32) | length (u32)) × count | objects. The header is',
  'parsed from the first bytes and a bad one is refused at once (422 bad-pack, details.reason one of magic,',
  'version, count, length, duplicate-id, size). Indexes each id the account does not hold yet (a duplicate keeps',
  'its first location) and claims all of them. Quota counts only the new unique bytes (413 quota-exceeded).',
].join(' ')

export const snapshotPaths = {
  '/api/v1/snapshot-key': {
    get: operation({
      summary: 'The account’s wrapped snapshot repository key',
      tag: s,
      auth: true,
      ok: [200, 'SnapshotKey', 'The key.'],
      errors: { 404: ['snapshot-key-not-found'] },
    }),
    put: operation({
      summary: 'Stores the account’s first snapshot key',
      tag: s,
      auth: true,
      body: 'PutSnapshotKeyRequest',
      ok: [201, 'SnapshotKey', 'Stored.'],
      more: { 200: { description: 'The same bytes again (idempotent).' } },
      errors: { 409: ['snapshot-key-exists'] },
    }),
  },
  '/api/v1/snapshot-objects/has': {
    post: operation({
      summary:
        'Which of the ids the account holds (request order); present ids are claimed for the grace period',
      tag: s,
      auth: true,
      body: 'ObjectIds',
      ok: [200, 'PresentObjects', 'The present ids.'],
    }),
  },
  '/api/v1/snapshot-objects/read': {
    post: operation({
      summary: 'The objects, streamed: per requested id in order, id (32) | length (u32) | object',
      tag: s,
      auth: true,
      body: 'ReadObjectsRequest',
      description:
        'Repeats are allowed. Content-Length is known before the first byte. The JSON body may be up to ' +
        '512 KiB, beyond limits.jsonBodyBytes.',
      ok: [200, null, 'The objects.'],
      okContent: binary('application/vnd.zkeb.objects'),
      errors: { 404: ['objects-missing'], 429: ['too-many-streams'] },
    }),
  },
  '/api/v1/snapshot-packs/{packId}': {
    put: operation({
      summary: 'Uploads a pack of objects (streamed)',
      tag: s,
      auth: true,
      streamedBody: true,
      description: packDescription,
      parameters: [
        pathParameter('packId', hex32, 'The pack’s id: 32 random bytes, lowercase hex.'),
        headerParameter('ZKEB-Content-SHA256', p.sha256, true, 'SHA-256 of the body, lowercase hex.'),
      ],
      ok: [201, 'PackStored', 'Stored and indexed.'],
      more: { 200: { description: 'The same pack id and hash again: nothing added (idempotent retry).' } },
      errors: {
        400: ['invalid-input', 'content-length-mismatch'],
        409: ['pack-exists'],
        411: ['length-required'],
        413: ['pack-too-large', 'quota-exceeded'],
        415: ['unsupported-media-type'],
        422: ['content-hash-mismatch', 'bad-pack'],
        429: ['too-many-streams'],
        507: ['insufficient-storage'],
      },
    }),
  },
  '/api/v1/snapshots': {
    post: operation({
      summary: 'Creates a snapshot (binary body)',
      tag: s,
      auth: true,
      streamedBody: true,
      description: createDescription,
      ok: [201, 'Snapshot', 'Created.'],
      more: { 200: { description: 'The same snapshot again (same id, signature and refs): the record.' } },
      errors: {
        400: ['invalid-input'],
        403: ['device-revoked'],
        404: ['device-not-found'],
        409: ['snapshot-exists', 'objects-missing'],
        413: ['payload-too-large'],
        415: ['unsupported-media-type'],
        422: ['bad-signature'],
      },
    }),
    get: operation({
      summary: 'The account’s snapshots, newest first by receivedAt, keyset pages',
      tag: s,
      auth: true,
      parameters: [
        queryParameter('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }, 'Page size.'),
        queryParameter('cursor', p.cursor, 'nextCursor of the previous page.'),
        queryParameter('seriesId', hex32, 'Only this series.'),
      ],
      ok: [200, 'SnapshotPage', 'A page.'],
      errors: { 400: ['invalid-input', 'invalid-cursor'] },
    }),
  },
  '/api/v1/snapshots/{snapshotId}': {
    get: operation({
      summary: 'One snapshot’s record',
      tag: s,
      auth: true,
      parameters: [snapshotId],
      ok: [200, 'Snapshot', 'The record.'],
      errors: notFound,
    }),
    delete: operation({
      summary: 'Forgets a snapshot; its objects stay until the collector finds them unreferenced',
      tag: s,
      auth: true,
      parameters: [snapshotId],
      ok: [204, null, 'Forgotten; records snapshot-deleted.'],
      errors: notFound,
    }),
  },
  '/api/v1/snapshots/{snapshotId}/refs': {
    get: operation({
      summary: 'The snapshot’s refs: sorted 32-byte ids, concatenated',
      tag: s,
      auth: true,
      parameters: [snapshotId],
      ok: [200, null, 'refCount × 32 bytes.'],
      okContent: binary('application/octet-stream'),
      errors: { ...notFound, 429: ['too-many-streams'] },
    }),
  },
  '/api/v1/snapshot-stats': {
    get: operation({
      summary: 'Unique stored bytes (the quota’s figure), objects, packs, pack bytes and snapshots',
      tag: s,
      auth: true,
      ok: [200, 'SnapshotStats', 'The figures.'],
    }),
  },
}

export const snapshotDecisions = {
  snapshots:
    'Protocol v1.1 (docs/protocol-snapshots.md). The server sees keyed object ids, opaque series ids, its own ' +
    'receive times, the signing device, padded lengths and ciphertext. has and read answer only about the ' +
    'caller’s account: another account’s ids are absent, and refs to them are objects-missing. Quota counts ' +
    'the unique stored bytes of indexed objects with v1 backups. Objects no snapshot references are collected ' +
    'once their last claim (arrival or has) is older than the grace period (SNAPSHOT_GC_GRACE_SECONDS, 48 h).',
}

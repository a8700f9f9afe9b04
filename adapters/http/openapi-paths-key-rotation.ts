/** The OpenAPI operations and schemas of the staged key rotation (issue #21). */
import { operation, pathParameter, queryParameter } from './openapi-operation'
import { parameterSchemas as p, ref } from './openapi-schemas'

const k = 'Key rotation'
const dateTime = { type: 'string', format: 'date-time', description: 'ISO-8601 UTC, milliseconds.' }
const uuid = { type: 'string', format: 'uuid', pattern: '^[0-9a-f-]{36}$' }
const count = { type: 'integer', minimum: 0 }
const wrappedKey = {
  type: 'string',
  contentEncoding: 'base64url',
  pattern: '^[A-Za-z0-9_-]*$',
  minLength: 2,
  maxLength: 683,
  description: 'A data key wrapped under a BKK. Unpadded base64url, 1–512 bytes.',
}
const keyItem = {
  type: 'object',
  additionalProperties: false,
  properties: { backupId: uuid, wrappedKey },
  required: ['backupId', 'wrappedKey'],
}
const object = (properties: Record<string, unknown>, optional: ReadonlyArray<string> = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
})

export const keyRotationSchemas = {
  BeginKeyRotationRequest: object({
    expectedVersion: { type: 'integer', minimum: 0 },
    keyBundle: ref('KeyBundle'),
  }),
  KeyRotationStarted: object({ rotationId: uuid, expiresAt: dateTime, backupCount: count }),
  KeyRotationState: object({
    rotationId: uuid,
    expectedVersion: { type: 'integer', minimum: 0 },
    keyBundle: ref('KeyBundle'),
    createdAt: dateTime,
    expiresAt: dateTime,
    backupCount: count,
    stagedCount: count,
  }),
  PendingKeys: object({
    items: {
      type: 'array',
      items: keyItem,
      description: 'Backups without a staged key, with their current one.',
    },
    nextAfter: { oneOf: [uuid, { type: 'null' }], description: 'after= for the next page; null: the last.' },
  }),
  StageKeysRequest: object({ wrappedKeys: { type: 'array', items: keyItem, minItems: 1, maxItems: 1000 } }),
  KeysStaged: object({ staged: count }),
  CommitKeyRotationRequest: object(
    {
      snapshotKey: {
        ...wrappedKey,
        minLength: 80,
        maxLength: 80,
        description: 'The snapshot key re-wrapped, 60 bytes.',
      },
    },
    ['snapshotKey'],
  ),
}

const rotationId = pathParameter('rotationId', p.uuid, 'The id begin returned.')
const notFound = { 404: ['key-rotation-not-found'] }

export const keyRotationPaths = {
  '/api/v1/key-rotations/staged': {
    post: operation({
      summary: 'Begins a staged key rotation: the new key bundle waits until the commit',
      tag: k,
      auth: true,
      description:
        'One open rotation per account (409 key-rotation-in-progress with details.rotationId); an idle one ' +
        'expires after KEY_ROTATION_TTL_SECONDS and is replaced.',
      body: 'BeginKeyRotationRequest',
      ok: [201, 'KeyRotationStarted', 'Staged.'],
      errors: { 409: ['key-rotation-in-progress'], 412: ['version-mismatch'] },
    }),
  },
  '/api/v1/key-rotations/current': {
    get: operation({
      summary: 'The open rotation, its staged key bundle and progress (to resume)',
      tag: k,
      auth: true,
      ok: [200, 'KeyRotationState', 'Open.'],
      errors: notFound,
    }),
  },
  '/api/v1/key-rotations/{rotationId}/pending': {
    get: operation({
      summary: 'Backups (live and trashed) with no staged key yet, by id after `after`',
      tag: k,
      auth: true,
      parameters: [
        rotationId,
        queryParameter('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 500 }, 'Page size.'),
        queryParameter('after', p.uuid, 'nextAfter of the previous page.'),
      ],
      ok: [200, 'PendingKeys', 'A page.'],
      errors: { 400: ['invalid-input'], ...notFound },
    }),
  },
  '/api/v1/key-rotations/{rotationId}/keys': {
    put: operation({
      summary: 'Stages a page of re-wrapped keys (idempotent per backup, any order)',
      tag: k,
      auth: true,
      description: 'At most 1,000 keys; the JSON body may be up to 256 KiB.',
      parameters: [rotationId],
      body: 'StageKeysRequest',
      ok: [200, 'KeysStaged', 'Staged.'],
      errors: { 400: ['rotation-duplicate-backups'], ...notFound, 409: ['rotation-unknown-backups'] },
    }),
  },
  '/api/v1/key-rotations/{rotationId}/commit': {
    post: operation({
      summary: 'Swaps every backup key, the snapshot key and the key bundle at once; records key-rotated',
      tag: k,
      auth: true,
      description:
        'Refused with 409 rotation-incomplete (details.missing: the first 1,000, details.missingCount) while a ' +
        'backup has no staged key, including those uploaded during the rotation; the rotation stays open.',
      parameters: [rotationId],
      body: 'CommitKeyRotationRequest',
      ok: [200, 'KeyBundleVersion', 'Applied.'],
      errors: {
        ...notFound,
        409: ['rotation-incomplete', 'snapshot-key-not-found'],
        412: ['version-mismatch'],
      },
    }),
  },
  '/api/v1/key-rotations/{rotationId}': {
    delete: operation({
      summary: 'Aborts the rotation and drops its staged keys',
      tag: k,
      auth: true,
      parameters: [rotationId],
      ok: [204, null, 'Aborted.'],
      errors: notFound,
    }),
  },
}

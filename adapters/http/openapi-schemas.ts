/** The JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) of api-v1's bodies, mirroring the io-ts codecs. */

type Schema = Readonly<Record<string, unknown>>

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })

/** Unpadded base64url of `min`–`max` bytes. */
const bytes = (min: number, max: number, description: string): Schema => ({
  type: 'string',
  contentEncoding: 'base64url',
  pattern: '^[A-Za-z0-9_-]*$',
  minLength: Math.ceil((min * 4) / 3),
  maxLength: Math.ceil((max * 4) / 3),
  description: `${description} Unpadded base64url, ${min === max ? `${min}` : `${min}–${max}`} bytes.`,
})

const object = (properties: Record<string, Schema>, optional: ReadonlyArray<string> = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
})

const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] })
const dateTime: Schema = { type: 'string', format: 'date-time', description: 'ISO-8601 UTC, milliseconds.' }
const uuid: Schema = { type: 'string', format: 'uuid', pattern: '^[0-9a-f-]{36}$' }
const uuidV4: Schema = { ...uuid, description: 'A lowercase UUIDv4 chosen by the client.' }
const sha256: Schema = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex.' }
const version: Schema = { type: 'integer', minimum: 0 }
const opaqueMessage = bytes(1, 2048, 'An @serenity-kit/opaque protocol message.')
const opaqueRecord = bytes(32, 512, 'The OPAQUE registration record.')
const wrappedUmk = bytes(1, 1024, 'A wrapped user master key, opaque to the server.')
const bearerSecret = bytes(32, 32, 'A secret bearer token.')
const cursor: Schema = {
  type: 'string',
  maxLength: 256,
  description:
    'Opaque keyset cursor issued by this server (nextCursor); any other value is 400 invalid-cursor.',
}

const backupSummary = {
  backupId: uuidV4,
  sizeBytes: { type: 'integer', minimum: 0 },
  sha256,
  deviceId: uuid,
  parentId: nullable(uuidV4),
  createdAt: dateTime,
}

const backup = object({
  ...backupSummary,
  encryptedMetadata: bytes(1, 8192, 'Metadata encrypted under MEK, AAD = backupId.'),
  wrappedKey: bytes(1, 512, 'The data key wrapped under BKK.'),
  signature: bytes(64, 64, 'Ed25519 signature of the upload signing bytes.'),
  keyVersion: { type: 'integer', minimum: 1 },
  deletedAt: nullable(dateTime),
})

const auditEvent = object({
  eventId: uuid,
  type: {
    type: 'string',
    description: 'registered, login, login-failed, logout, device-added, … (open set).',
  },
  at: dateTime,
  deviceId: nullable(uuid),
  requestId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  prevHash: sha256,
  hash: sha256,
})

const keyBundle = object({ passwordWrappedUmk: wrappedUmk, recoveryWrappedUmk: wrappedUmk })
const username: Schema = { type: 'string', pattern: '^[A-Za-z0-9._@+-]{3,128}$' }
const tokens = { accessToken: { type: 'string' }, refreshToken: bearerSecret, expiresIn: { type: 'integer' } }

export const schemas: Readonly<Record<string, Schema>> = {
  Error: object({
    error: object(
      {
        code: { type: 'string', pattern: '^[a-z0-9-]+$' },
        message: { type: 'string', description: 'A fixed sentence; never contains submitted values.' },
        retryable: { type: 'boolean' },
        requestId: { type: 'string' },
        details: {
          type: 'object',
          description:
            'paths (field paths or header names, never values), missing, unknown, currentVersion, …',
        },
      },
      ['details'],
    ),
  }),
  Health: object(
    {
      status: { enum: ['ok', 'degraded', 'starting', 'draining'] },
      version: { type: 'string' },
      checks: { type: 'object', additionalProperties: { enum: ['ok', 'failing'] } },
    },
    ['version'],
  ),
  Live: object({ status: { const: 'ok' } }),
  KeyBundle: keyBundle,
  StartRegistrationRequest: object({ username, registrationRequest: opaqueMessage }),
  StartRegistrationResponse: object({ registrationResponse: { type: 'string' } }),
  FinishRegistrationRequest: object({
    username,
    registrationRecord: opaqueRecord,
    keyBundle: ref('KeyBundle'),
    recoveryVerifier: bytes(32, 32, 'SHA-256(HKDF(recoveryKey, "zkeb/v1/recovery-auth")).'),
  }),
  AccountId: object({ accountId: uuid }),
  StartLoginRequest: object({ username, startLoginRequest: opaqueMessage }),
  StartLoginResponse: object({ loginId: { type: 'string' }, loginResponse: { type: 'string' } }),
  FinishLoginRequest: object(
    {
      loginId: { type: 'string' },
      finishLoginRequest: opaqueMessage,
      deviceId: uuid,
      secondFactor: ref('FactorProof'),
    },
    ['deviceId', 'secondFactor'],
  ),
  Session: object({ ...tokens, accountId: uuid }),
  RefreshRequest: object({ refreshToken: bearerSecret }),
  RefreshedSession: object(tokens),
  Account: object({
    accountId: uuid,
    username,
    createdAt: dateTime,
    keyBundle: ref('KeyBundle'),
    keyBundleVersion: version,
    quota: object({ limitBytes: { type: 'integer' }, usedBytes: { type: 'integer' } }),
  }),
  UpdateKeyBundleRequest: object({ expectedVersion: version, keyBundle: ref('KeyBundle') }),
  KeyBundleVersion: object({ keyBundleVersion: version }),
  StartPasswordChangeRequest: object({ registrationRequest: opaqueMessage }),
  FinishPasswordChangeRequest: object({
    expectedVersion: version,
    registrationRecord: opaqueRecord,
    passwordWrappedUmk: wrappedUmk,
  }),
  StartRecoveryRequest: object({
    username,
    recoveryProof: bytes(32, 32, 'HKDF(recoveryKey, "zkeb/v1/recovery-auth").'),
  }),
  RecoveryStarted: object({
    recoveryToken: bearerSecret,
    recoveryWrappedUmk: {
      ...wrappedUmk,
      description:
        'Added to api-v1: the account’s keyBundle.recoveryWrappedUmk, only after a correct proof. ' +
        'AES-GCM under HKDF(recoveryKey, "zkeb/v1/recovery-kek"); unpadded base64url, 1–1024 bytes.',
    },
    keyBundleVersion: {
      ...version,
      description: 'Added to api-v1: the version of the bundle recoveryWrappedUmk was read from.',
    },
  }),
  FinishRecoveryRequest: object({
    recoveryToken: bearerSecret,
    registrationRecord: opaqueRecord,
    passwordWrappedUmk: wrappedUmk,
  }),
  AccountErased: object({ status: { const: 'erased' } }),
  AddDeviceRequest: object({
    publicKey: bytes(32, 32, 'Ed25519 raw public key.'),
    encryptedName: bytes(1, 1024, 'The device name encrypted by the client.'),
  }),
  DeviceCreated: object({ deviceId: uuid, createdAt: dateTime }),
  Device: object({
    deviceId: uuid,
    publicKey: bytes(
      32,
      32,
      'Added to api-v1: the device’s registered Ed25519 raw public key (public), to verify its uploads.',
    ),
    encryptedName: bytes(1, 1024, 'The device name encrypted by the client.'),
    createdAt: dateTime,
    lastSeenAt: dateTime,
    revokedAt: nullable(dateTime),
  }),
  DeviceList: object({ items: { type: 'array', items: ref('Device') } }),
  BackupSummary: object(backupSummary),
  Backup: backup,
  BackupPage: object({ items: { type: 'array', items: ref('Backup') }, nextCursor: nullable(cursor) }),
  RotateKeysRequest: object(
    {
      expectedVersion: version,
      keyBundle: ref('KeyBundle'),
      wrappedKeys: {
        type: 'array',
        items: object({
          backupId: uuidV4,
          wrappedKey: bytes(1, 512, 'The data key re-wrapped under the new BKK.'),
        }),
      },
      snapshotKey: bytes(60, 60, 'The snapshot repository key re-wrapped under the new BKK (protocol v1.1).'),
    },
    ['snapshotKey'],
  ),
  AuditEvent: auditEvent,
  AuditPage: object({ items: { type: 'array', items: ref('AuditEvent') }, nextCursor: nullable(cursor) }),
}

export const parameterSchemas = { uuid, uuidV4, sha256, cursor, base64url: bytes(1, 8192, 'Opaque bytes.') }

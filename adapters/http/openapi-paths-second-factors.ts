/** The OpenAPI operations and schemas of second factors (TOTP, recovery codes). */
import { fresh, operation, pathParameter } from './openapi-operation'
import { parameterSchemas as p, ref } from './openapi-schemas'

const f = 'second factors'
const uuid = { type: 'string', format: 'uuid', pattern: '^[0-9a-f-]{36}$' }
const totpCode = { type: 'string', pattern: '^[0-9]{6}$', description: 'Six digits from the app.' }

const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required: Object.keys(properties),
})

const recoveryCodes = {
  type: 'array',
  items: { type: 'string', pattern: '^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$' },
  description: 'One-time recovery codes, shown this once (the server keeps keyed digests only).',
}

export const secondFactorSchemas = {
  TotpEnrolment: object({
    factorId: uuid,
    secret: { type: 'string', description: 'Base32 TOTP secret (SHA-1, 6 digits, 30 s), shown this once.' },
    otpauthUri: { type: 'string', description: 'The same secret as an otpauth:// URI (for a QR code).' },
  }),
  ConfirmTotpRequest: object({ factorId: uuid, code: totpCode }),
  ConfirmedTotp: object({ recoveryCodes }),
  SecondFactor: object({
    factorId: uuid,
    kind: { type: 'string', enum: ['totp'] },
    createdAt: { type: 'string', format: 'date-time' },
    confirmed: { type: 'boolean', description: 'false: enrolment not confirmed yet; it gates nothing.' },
  }),
  SecondFactorList: object({
    items: { type: 'array', items: ref('SecondFactor') },
    recoveryCodesLeft: { type: 'integer', minimum: 0 },
  }),
  FactorProof: {
    oneOf: [
      object({ kind: { const: 'totp' }, code: totpCode }),
      object({
        kind: { const: 'recovery-code' },
        code: {
          type: 'string',
          pattern: '^[A-Za-z2-7 -]{16,40}$',
          description: 'Case, dashes, spaces ignored.',
        },
      }),
    ],
  },
}

export const secondFactorPaths = {
  '/api/v1/second-factors/totp': {
    post: operation({
      summary: 'Starts a TOTP enrolment: a new secret, unconfirmed until a code from the app confirms it',
      tag: f,
      auth: true,
      description: `${fresh} Drops earlier unconfirmed enrolments.`,
      ok: [201, 'TotpEnrolment', 'The secret (this answer only).'],
      errors: { 403: ['fresh-login-required'] },
    }),
  },
  '/api/v1/second-factors/totp/confirm': {
    post: operation({
      summary: 'Confirms a TOTP enrolment; the first factor comes with recovery codes',
      tag: f,
      auth: true,
      description:
        'From now on a login needs a second factor. A wrong code spends one of the account’s 5 tries per ' +
        '15 minutes (429 rate-limited once none are left) and records second-factor-failed.',
      body: 'ConfirmTotpRequest',
      ok: [200, 'ConfirmedTotp', 'Confirmed; records second-factor-enrolled.'],
      errors: { 401: ['second-factor-invalid'], 404: ['factor-not-found'], 429: ['rate-limited'] },
    }),
  },
  '/api/v1/second-factors': {
    get: operation({
      summary: 'The account’s second factors (never their secrets) and its unspent recovery codes',
      tag: f,
      auth: true,
      ok: [200, 'SecondFactorList', 'The factors.'],
    }),
  },
  '/api/v1/second-factors/{factorId}': {
    delete: operation({
      summary: 'Removes a second factor; with the last one go the recovery codes',
      tag: f,
      auth: true,
      description: fresh,
      parameters: [pathParameter('factorId', p.uuid, 'The factor’s id.')],
      ok: [204, null, 'Removed; records second-factor-removed.'],
      errors: { 403: ['fresh-login-required'], 404: ['factor-not-found'] },
    }),
  },
}

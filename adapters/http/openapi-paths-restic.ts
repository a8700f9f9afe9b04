/** The OpenAPI operations and schemas of restic access tokens, and the restic REST backend's decisions. */
import { fresh, operation, pathParameter } from './openapi-operation'
import { parameterSchemas as p, ref } from './openapi-schemas'

const r = 'restic'
const dateTime = { type: 'string', format: 'date-time', description: 'ISO-8601 UTC, milliseconds.' }
const uuid = { type: 'string', format: 'uuid', pattern: '^[0-9a-f-]{36}$' }
const repoName = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  not: { enum: ['config', 'data', 'keys', 'locks', 'snapshots', 'index'] },
  description: 'One path segment, not a name restic reserves (400 invalid-input naming repo).',
}

const tokenFields = {
  tokenId: uuid,
  deviceId: { oneOf: [uuid, { type: 'null' }], description: 'The device that created it, if any.' },
  appendOnly: { type: 'boolean', description: 'No delete of data, keys, snapshots, index or config.' },
  repo: {
    oneOf: [repoName, { type: 'null' }],
    description: 'The one repository the token opens (others answer 401); null: every repository.',
  },
  createdAt: dateTime,
}

const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required: Object.keys(properties),
})

export const resticSchemas = {
  CreateResticTokenRequest: {
    ...object({ appendOnly: { type: 'boolean' }, repo: repoName }),
    required: ['appendOnly'],
  },
  ResticToken: object(tokenFields),
  ResticTokenCreated: object({
    ...tokenFields,
    token: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{43}$',
      description: 'The secret, shown this once (the server keeps its SHA-256 only).',
    },
  }),
  ResticTokenList: object({ items: { type: 'array', items: ref('ResticToken') } }),
}

export const resticTokenPaths = {
  '/api/v1/restic-tokens': {
    post: operation({
      summary: 'Creates a restic access token for the caller’s device (the secret is in this answer only)',
      tag: r,
      auth: true,
      description: fresh,
      body: 'CreateResticTokenRequest',
      ok: [201, 'ResticTokenCreated', 'Created; records restic-token-created.'],
      errors: { 403: ['fresh-login-required'] },
    }),
    get: operation({
      summary: 'The account’s restic tokens, oldest first (never their secrets)',
      tag: r,
      auth: true,
      ok: [200, 'ResticTokenList', 'The tokens.'],
    }),
  },
  '/api/v1/restic-tokens/{tokenId}': {
    delete: operation({
      summary: 'Revokes a restic token: it stops working at once',
      tag: r,
      auth: true,
      parameters: [pathParameter('tokenId', p.uuid, 'The token’s id.')],
      ok: [204, null, 'Revoked; records restic-token-revoked.'],
      errors: { 404: ['restic-token-not-found'] },
    }),
  },
}

export const resticDecisions = {
  resticBackend:
    'restic’s REST backend protocol (v1 and v2 listings) is served under /restic/{repo}/ for the ' +
    'unmodified restic client: RESTIC_REPOSITORY=rest:https://USERNAME:TOKEN@host/restic/REPO/. HTTP basic ' +
    'auth: the account’s username and a restic token from POST /api/v1/restic-tokens. REPO is one segment ' +
    '(^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$, not a restic type name); names are 64 lowercase hex (SHA-256 of ' +
    'the bytes, checked on upload) or config. Objects count against the quota (507 when full). An existing ' +
    'name is never overwritten (403). Append-only tokens may not delete anything but locks (403). A token ' +
    'made for one repository (repo) opens only that one: any other answers 401, as a wrong token. A token ' +
    'stops working when revoked, when the device that created it is revoked, when the account is ' +
    'recovered, and on a password change made by another session. Failed basic auth is limited per IP and ' +
    'per username, and every authenticated request spends a point of the account’s limit: 429 Too Many ' +
    'Requests with Retry-After (restic retries with backoff). A body with a ' +
    'Content-Encoding other than identity is 415 (it would be stored compressed). Not part of api-v1: ' +
    'answers are restic’s (plain text errors, 200 for every write).',
}

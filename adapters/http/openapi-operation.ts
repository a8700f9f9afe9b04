/** Knows how to describe one operation in OpenAPI 3.1 with api-v1's common errors and headers filled in. */
import { ref } from './openapi-schemas'

type Schema = Readonly<Record<string, unknown>>

export type OperationSpec = Readonly<{
  summary: string
  tag: string
  /** A Bearer access token is required (adds 401 and the per-account rate limit). */
  auth?: boolean
  /** The rate-limit rule(s) charged without authentication, e.g. "login per IP and per username". */
  limit?: string
  /** The JSON request body's schema name (adds 400/408/413/415). */
  body?: string
  /** Takes a streamed body (adds 415 unsupported-content-encoding). */
  streamedBody?: boolean
  parameters?: ReadonlyArray<Schema>
  /** Success status, its schema name (or null: no body) and description. */
  ok: readonly [number, string | null, string]
  /** The success body when it is not a JSON schema (streamed bytes). */
  okContent?: Schema
  /** Further responses by status: the error codes each can carry. */
  errors?: Readonly<Record<number, ReadonlyArray<string>>>
  /** Extra non-error responses (206, 304, 200 on retry, …). */
  more?: Readonly<Record<number, Schema>>
  description?: string
}>

/** The description every operation that wants a recent login carries (x-zkeb-decisions.freshLogin). */
export const fresh =
  'Needs a fresh login: a session whose OPAQUE login is older than x-zkeb-decisions.freshLogin allows gets ' +
  '403 fresh-login-required.'

const headerRef = (name: string): Schema => ({ $ref: `#/components/headers/${name}` })
const rateLimitHeaders = {
  'RateLimit-Limit': headerRef('RateLimit-Limit'),
  'RateLimit-Remaining': headerRef('RateLimit-Remaining'),
  'RateLimit-Reset': headerRef('RateLimit-Reset'),
}

const errorResponse = (codes: ReadonlyArray<string>, status: number): Schema => ({
  description: `Error codes: ${codes.join(', ')}.`,
  'x-error-codes': codes,
  headers: {
    'X-Request-Id': headerRef('X-Request-Id'),
    ...(status === 429 || status === 503 ? { 'Retry-After': headerRef('Retry-After') } : {}),
    ...(status === 429 ? rateLimitHeaders : {}),
    ...(status === 416 ? { 'Content-Range': headerRef('Content-Range') } : {}),
    ...(status === 401 || codes.includes('fresh-login-required')
      ? { 'WWW-Authenticate': headerRef('WWW-Authenticate') }
      : {}),
    ...(codes.includes('unsupported-content-encoding')
      ? { 'Accept-Encoding': headerRef('Accept-Encoding') }
      : {}),
  },
  content: { 'application/json': { schema: ref('Error') } },
})

const addCodes = (into: Record<number, string[]>, status: number, codes: ReadonlyArray<string>): void => {
  into[status] = [...new Set([...(into[status] ?? []), ...codes])]
}

const errorCodesOf = (spec: OperationSpec): Record<number, string[]> => {
  const codes: Record<number, string[]> = {}
  if (spec.body !== undefined) {
    addCodes(codes, 400, ['invalid-json', 'invalid-input'])
    addCodes(codes, 408, ['request-timeout'])
    addCodes(codes, 413, ['payload-too-large'])
    addCodes(codes, 415, ['unsupported-media-type'])
  }
  if (spec.body !== undefined || spec.streamedBody === true)
    addCodes(codes, 415, ['unsupported-content-encoding'])
  if (spec.auth === true) addCodes(codes, 401, ['unauthenticated'])
  if (spec.auth === true || spec.limit !== undefined) addCodes(codes, 429, ['rate-limited'])
  for (const [status, list] of Object.entries(spec.errors ?? {})) addCodes(codes, Number(status), list)
  addCodes(codes, 503, ['unavailable'])
  addCodes(codes, 500, ['internal-error'])
  return codes
}

const successResponse = (spec: OperationSpec): Schema => {
  const [, schema, description] = spec.ok
  const limited = spec.auth === true || spec.limit !== undefined
  return {
    description,
    headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...(limited ? rateLimitHeaders : {}) },
    ...(schema === null ? {} : { content: { 'application/json': { schema: ref(schema) } } }),
    ...(spec.okContent === undefined ? {} : { content: spec.okContent }),
  }
}

export const operation = (spec: OperationSpec): Schema => {
  const errors = Object.entries(errorCodesOf(spec)).map(([status, codes]) => [
    status,
    errorResponse(codes, Number(status)),
  ])
  const rateLimit = [spec.auth === true ? 'account (per account)' : undefined, spec.limit].filter(Boolean)
  return {
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.description === undefined ? {} : { description: spec.description }),
    security: spec.auth === true ? [{ bearer: [] }] : [],
    ...(spec.parameters === undefined ? {} : { parameters: spec.parameters }),
    ...(spec.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: ref(spec.body) } } } }),
    ...(rateLimit.length > 0 ? { 'x-rate-limit': rateLimit } : {}),
    responses: {
      [String(spec.ok[0])]: successResponse(spec),
      ...Object.fromEntries(Object.entries(spec.more ?? {})),
      ...Object.fromEntries(errors),
    },
  }
}

export const pathParameter = (name: string, schema: Schema, description: string): Schema => ({
  name,
  in: 'path',
  required: true,
  schema,
  description: `${description} Malformed: 400 invalid-input with details.paths ["${name}"].`,
})

export const queryParameter = (name: string, schema: Schema, description: string): Schema => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
})

export const headerParameter = (
  name: string,
  schema: Schema,
  required: boolean,
  description: string,
): Schema => ({
  name,
  in: 'header',
  required,
  schema,
  description,
})

/**
 * An api-v1 server on port 0 over the in-memory application, and a small HTTP client that speaks the
 * protocol through fetch (real OPAQUE client, real Ed25519 signatures via test/support/test-client).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import { inMemoryRateLimiter } from '../../../adapters/in-memory/in-memory-rate-limiter'
import { createHttpApp, defaultHttpLimits, type HttpAppDeps } from '../../../adapters/http/create-http-app'
import type { HttpLogger } from '../../../adapters/http/http-types'
import type { RateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { type ServerTimeouts, startHttpServer } from '../../../adapters/http/start-http-server'
import type { Ports } from '../../../application/ports'
import type { DeviceId, Username } from '../../../domain/ids'
import { type InMemoryZkeb, inMemoryZkeb } from '../../support/in-memory-zkeb'
import { aDeviceKey, aUsername, type AnUpload, type DeviceKey, opaqueRecord } from '../../support/test-client'

const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

/** Rules loose enough that a suite's many logins from 127.0.0.1 are never limited. */
export const looseRateLimits: RateLimitRules = {
  login: { name: 'login', points: 10_000, windowSeconds: 60 },
  registration: { name: 'registration', points: 10_000, windowSeconds: 60 },
  recovery: { name: 'recovery', points: 10_000, windowSeconds: 60 },
  refresh: { name: 'refresh', points: 10_000, windowSeconds: 60 },
  account: { name: 'account', points: 10_000, windowSeconds: 60 },
  resticAuth: { name: 'restic-auth', points: 10_000, windowSeconds: 60 },
}

export type CallOptions = Readonly<{
  json?: unknown
  token?: string
  headers?: Record<string, string>
  body?: RequestInit['body']
}>

export type TestServer = Readonly<{
  zkeb: InMemoryZkeb
  base: string
  call: (method: string, path: string, options?: CallOptions) => Promise<Response>
  close: () => Promise<void>
}>

/** What the protocol helpers below need: a way to call the API (an in-process server or a real process). */
export type HttpCaller = Pick<TestServer, 'call'>

/** Calls the API at `base` with JSON, a bearer token or a raw (streamed) body. */
export const httpCaller =
  (base: string): TestServer['call'] =>
  (method, path, o: CallOptions = {}) =>
    fetch(base + path, {
      method,
      headers: {
        ...(o.json === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(o.token === undefined ? {} : { Authorization: `Bearer ${o.token}` }),
        ...o.headers,
      },
      ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
      ...(o.body === undefined ? {} : { body: o.body, duplex: 'half' }),
    })

export type TestServerOptions = Readonly<{
  overrides?: Partial<Ports>
  rateLimits?: RateLimitRules
  logger?: HttpLogger
  limits?: HttpAppDeps['limits']
  lifecycle?: HttpAppDeps['lifecycle']
  observability?: HttpAppDeps['observability']
  timeouts?: ServerTimeouts
}>

export const startTestServer = async (options: TestServerOptions = {}): Promise<TestServer> => {
  const zkeb = await inMemoryZkeb(options.overrides)
  const app = createHttpApp({
    useCases: zkeb.useCases,
    rateLimiter: inMemoryRateLimiter(zkeb.clock),
    rateLimits: options.rateLimits ?? looseRateLimits,
    limits: options.limits ?? defaultHttpLimits,
    version: 'test-1',
    trustProxy: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
    ...(options.observability === undefined ? {} : { observability: options.observability }),
  })
  const running = await startHttpServer(app, {
    port: 0,
    host: '127.0.0.1',
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  })
  const base = `http://127.0.0.1:${running.port}`
  const call = httpCaller(base)
  return { zkeb, base, call, close: () => running.close(1000) }
}

/** The parsed JSON body; fails the test on a non-JSON answer. */
export const jsonOf = async <T = Record<string, unknown>>(response: Response): Promise<T> => {
  expect(response.headers.get('content-type') ?? '').to.match(/application\/json/)
  return (await response.json()) as T
}

export type ErrorBody = {
  error: {
    code: string
    message: string
    retryable: boolean
    requestId: string
    details?: Record<string, unknown>
  }
}

/** Asserts status and error code, and that the raw body never contains any of `secrets`. */
export const expectError = async (
  response: Response,
  status: number,
  code: string,
  secrets: ReadonlyArray<string> = [],
): Promise<ErrorBody['error']> => {
  const text = await response.text()
  expect(response.status, text).to.equal(status)
  for (const secret of secrets) expect(text).not.to.include(secret)
  const body = JSON.parse(text) as ErrorBody
  expect(body.error.code).to.equal(code)
  expect(Object.keys(body.error)).to.include.members(['code', 'message', 'retryable', 'requestId'])
  expect(body.error.requestId).to.equal(response.headers.get('x-request-id'))
  return body.error
}

export type HttpAccount = Readonly<{
  username: Username
  password: string
  accountId: string
  recoveryProof: string
}>
export type HttpSession = Readonly<{ accessToken: string; refreshToken: string }>

/** OPAQUE registration over HTTP up to the finish call; returns its raw answer. */
export const finishRegistrationOverHttp = async (
  server: HttpCaller,
  username: Username,
  password: string,
  recoveryProof: string = b64(randomBytes(32)),
): Promise<Response> => {
  const registrationRecord = await opaqueRecordOverHttp(server, username, password)
  const recoveryVerifier = b64(createHash('sha256').update(Buffer.from(recoveryProof, 'base64url')).digest())
  const keyBundle = { passwordWrappedUmk: b64(randomBytes(60)), recoveryWrappedUmk: b64(randomBytes(60)) }
  return server.call('POST', '/api/v1/accounts/registration/finish', {
    json: { username, registrationRecord, keyBundle, recoveryVerifier },
  })
}

/** A new OPAQUE record for `password`, its response fetched from registration/start. */
export const opaqueRecordOverHttp = (
  server: HttpCaller,
  username: Username,
  password: string,
): Promise<string> =>
  opaqueRecord(async (registrationRequest) => {
    const res = await server.call('POST', '/api/v1/accounts/registration/start', {
      json: { username, registrationRequest },
    })
    expect(res.status).to.equal(200)
    return (await jsonOf<{ registrationResponse: string }>(res)).registrationResponse
  }, password)

export const registerOverHttp = async (
  server: HttpCaller,
  username: Username = aUsername(),
): Promise<HttpAccount> => {
  const password = `pw-${randomUUID()}`
  const recoveryProof = b64(randomBytes(32))
  const res = await finishRegistrationOverHttp(server, username, password, recoveryProof)
  expect(res.status).to.equal(201)
  const { accountId } = await jsonOf<{ accountId: string }>(res)
  return { username, password, accountId, recoveryProof }
}

export const logInOverHttp = async (
  server: HttpCaller,
  who: Pick<HttpAccount, 'username' | 'password'>,
  deviceId?: string,
): Promise<HttpSession> => {
  await opaque.ready
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: who.password })
  const started = await server.call('POST', '/api/v1/sessions/start', {
    json: { username: who.username, startLoginRequest },
  })
  expect(started.status).to.equal(200)
  const { loginId, loginResponse } = await jsonOf<{ loginId: string; loginResponse: string }>(started)
  const finished = opaque.client.finishLogin({
    clientLoginState,
    loginResponse,
    password: who.password,
    keyStretching,
  })
  if (finished === undefined) throw new Error('the client refused the server response')
  const res = await server.call('POST', '/api/v1/sessions/finish', {
    json: {
      loginId,
      finishLoginRequest: finished.finishLoginRequest,
      ...(deviceId === undefined ? {} : { deviceId }),
    },
  })
  expect(res.status).to.equal(200)
  return jsonOf<HttpSession>(res)
}

export const addDeviceOverHttp = async (
  server: HttpCaller,
  token: string,
  key: DeviceKey = aDeviceKey(),
): Promise<{ deviceId: DeviceId; key: DeviceKey }> => {
  const res = await server.call('POST', '/api/v1/devices', {
    token,
    json: { publicKey: key.publicKey, encryptedName: b64(randomBytes(40)) },
  })
  expect(res.status).to.equal(201)
  const { deviceId } = await jsonOf<{ deviceId: DeviceId }>(res)
  return { deviceId, key }
}

/** The ZKEB-* headers of a signed upload. */
export const uploadHeaders = (upload: AnUpload): Record<string, string> => ({
  'Content-Type': 'application/octet-stream',
  'ZKEB-Device-Id': upload.input.deviceId,
  'ZKEB-Content-SHA256': upload.input.contentSha256,
  'ZKEB-Signature': upload.input.signature,
  'ZKEB-Wrapped-Key': upload.input.wrappedKey,
  'ZKEB-Metadata': upload.input.encryptedMetadata,
  ...(upload.input.parentId === undefined ? {} : { 'ZKEB-Parent-Id': upload.input.parentId }),
})

export const uploadOverHttp = (server: HttpCaller, token: string, upload: AnUpload): Promise<Response> =>
  server.call('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
    token,
    headers: uploadHeaders(upload),
    body: upload.content,
  })

/** A user with a session and a registered device, ready to upload. */
export const aUserWithDevice = async (server: HttpCaller) => {
  const account = await registerOverHttp(server)
  const session = await logInOverHttp(server, account)
  const device = await addDeviceOverHttp(server, session.accessToken)
  return { account, session, device, token: session.accessToken }
}

/** Recovery with the account's recovery proof and a new password; returns the finish answer. */
export const recoverOverHttp = async (
  server: HttpCaller,
  account: Pick<HttpAccount, 'username' | 'recoveryProof'>,
  password: string,
): Promise<Response> => {
  const started = await server.call('POST', '/api/v1/account/recovery/start', {
    json: { username: account.username, recoveryProof: account.recoveryProof },
  })
  const { recoveryToken } = await jsonOf<{ recoveryToken: string }>(started)
  const registrationRecord = await opaqueRecordOverHttp(server, account.username, password)
  return server.call('POST', '/api/v1/account/recovery/finish', {
    json: { recoveryToken, registrationRecord, passwordWrappedUmk: b64(randomBytes(60)) },
  })
}

/** A password change by the session of `token` (start, then finish at the current version); the finish answer. */
export const changePasswordOverHttp = async (
  server: HttpCaller,
  token: string,
  password: string,
): Promise<Response> => {
  await opaque.ready
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
  const started = await server.call('POST', '/api/v1/account/password/start', {
    token,
    json: { registrationRequest },
  })
  if (started.status !== 200) return started
  const { registrationResponse } = await jsonOf<{ registrationResponse: string }>(started)
  const { registrationRecord } = opaque.client.finishRegistration({
    password,
    registrationResponse,
    clientRegistrationState,
    keyStretching,
  })
  const account = await jsonOf<{ keyBundleVersion: number }>(
    await server.call('GET', '/api/v1/account', { token }),
  )
  return server.call('POST', '/api/v1/account/password/finish', {
    token,
    json: {
      expectedVersion: account.keyBundleVersion,
      registrationRecord,
      passwordWrappedUmk: b64(randomBytes(60)),
    },
  })
}

/** A restic token made by the session of `token`: its id and the secret restic presents. */
export const resticTokenOverHttp = async (
  server: HttpCaller,
  token: string,
  body: Readonly<{ appendOnly: boolean; repo?: string }> = { appendOnly: false },
): Promise<{ tokenId: string; token: string }> => {
  const res = await server.call('POST', '/api/v1/restic-tokens', { token, json: body })
  expect(res.status, await res.clone().text()).to.equal(201)
  return jsonOf<{ tokenId: string; token: string }>(res)
}

/** HTTP basic credentials as restic sends them. */
export const basicAuth = (username: string, secret: string): string =>
  `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`

/**
 * Every api-v1 route, called with real secrets (OPAQUE messages, passwords, tokens, key bundles, wrapped keys,
 * signatures, metadata, content) through the real pino logger at `trace`: no secret reaches the log, whether
 * the call succeeds, is refused, or hits a bug. Secrets are harvested from every request and response the
 * test client exchanges, so a new field is covered without listing it here.
 */
import { expect } from 'chai'
import { Secret, TOTP } from 'otpauth'
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import * as opaque from '@serenity-kit/opaque'
import { createLogger } from '../../../adapters/composition/logger'
import { defaultHttpLimits } from '../../../adapters/http/create-http-app'
import { silentLogger } from '../../../adapters/http/http-types'
import { defaultRateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { createApiRouter } from '../../../adapters/http/routes'
import { accountHash } from '../../../adapters/observability/account-hash'
import { noMetrics } from '../../../application/ports/metrics'
import { inMemoryRateLimiter } from '../../../adapters/in-memory/in-memory-rate-limiter'
import type { Clock } from '../../../application/ports/clock'
import { inMemoryZkeb } from '../../support/in-memory-zkeb'
import { anUpload, type AnUpload } from '../../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../../support/tus'
import {
  addDeviceOverHttp,
  type CallOptions,
  jsonOf,
  logInOverHttp,
  opaqueRecordOverHttp,
  registerOverHttp,
  startTestServer,
  type TestServer,
  uploadOverHttp,
} from '../http/http-test-kit'

const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

/** Every `METHOD /template` the router serves (HEAD is GET's). */
const everyRoute = async (): Promise<ReadonlyArray<string>> => {
  const zkeb = await inMemoryZkeb()
  const router = createApiRouter({
    useCases: zkeb.useCases,
    rateLimiter: inMemoryRateLimiter(zkeb.clock),
    rateLimits: defaultRateLimitRules,
    logger: silentLogger,
    limits: defaultHttpLimits,
    version: 'x',
    lifecycle: () => 'ready',
  })
  return router.stack.flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path)}`),
  )
}

const captureLogs = () => {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { lines, logger: createLogger({ level: 'trace', destination }) }
}

/** String leaves long enough to be key material, tokens or messages (ids, names and dates are not secrets). */
const leaves = (value: unknown, out: Set<string>, skipKeys: ReadonlySet<string>): void => {
  if (typeof value === 'string') {
    if (value.length >= 16 && !/^\d{4}-\d\d-\d\dT/.test(value)) out.add(value)
  } else if (Array.isArray(value)) for (const item of value) leaves(item, out, skipKeys)
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) if (!skipKeys.has(key)) leaves(item, out, skipKeys)
}

/** Ids and request ids are logged on purpose (hashed or as is); everything else harvested is a secret. */
const notSecret = new Set([
  'requestId',
  'accountId',
  'deviceId',
  'backupId',
  'parentId',
  'sha256',
  'contentSha256',
])
const secretHeaders = ['authorization', 'zkeb-signature', 'zkeb-wrapped-key', 'zkeb-metadata']

/** The kit's server, with every secret sent or received added to `secrets`. */
const harvesting = (server: TestServer, secrets: Set<string>): TestServer => ({
  ...server,
  call: async (method: string, path: string, options: CallOptions = {}) => {
    leaves(options.json, secrets, notSecret)
    if (options.token !== undefined) secrets.add(options.token)
    for (const [name, value] of Object.entries(options.headers ?? {}))
      if (secretHeaders.includes(name.toLowerCase())) secrets.add(value)
    if (options.body instanceof Uint8Array)
      secrets.add(Buffer.from(options.body).toString('hex').slice(0, 64))
    const response = await server.call(method, path, options)
    if (path.startsWith('/api/v1/') && (response.headers.get('content-type') ?? '').includes('json'))
      leaves(await response.clone().json(), secrets, notSecret)
    return response
  },
})

describe('logs never carry a secret, on any route @memory', function () {
  this.timeout(60_000)
  const secrets = new Set<string>()
  const { lines, logger } = captureLogs()
  const hashAccount = accountHash(randomBytes(32))
  const bugs: unknown[] = []
  let raw: TestServer
  let server: TestServer

  before(async () => {
    raw = await startTestServer({
      logger,
      observability: { metrics: noMetrics, accountHash: hashAccount, reportBug: (err) => bugs.push(err) },
    })
    // @tus/server checks Upload-Expires against the system time: the application's clock starts there.
    raw.zkeb.clock.set(new Date())
    server = harvesting(raw, secrets)
  })
  after(() => raw.close())

  const send = (method: string, path: string, options: CallOptions = {}) => server.call(method, path, options)
  const succeeds = async (response: Promise<Response>): Promise<Response> => {
    const res = await response
    expect(res.status, await res.clone().text()).to.be.below(300)
    return res
  }

  /** The tus routes: discovery, creation with the signed description as Upload-Metadata, parts, termination. */
  // Enrols TOTP (its secret and code, and the recovery codes, are secrets), lists, removes.
  const secondFactorRoutes = async (token: string) => {
    const started = await succeeds(send('POST', '/api/v1/second-factors/totp', { token }))
    const { factorId, secret, otpauthUri } = await jsonOf<{
      factorId: string
      secret: string
      otpauthUri: string
    }>(started)
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate({
      timestamp: server.zkeb.clock.now().getTime(),
    })
    secrets.add(secret).add(otpauthUri)
    const confirmed = await succeeds(
      send('POST', '/api/v1/second-factors/totp/confirm', { token, json: { factorId, code } }),
    )
    for (const c of (await jsonOf<{ recoveryCodes: string[] }>(confirmed)).recoveryCodes) secrets.add(c)
    await succeeds(send('GET', '/api/v1/second-factors', { token }))
    await succeeds(send('DELETE', `/api/v1/second-factors/${factorId}`, { token }))
  }

  const resumableUpload = async (token: string, upload: AnUpload) => {
    const metadata = uploadMetadataHeader(tusMetadataOf(upload))
    secrets.add(upload.input.signature).add(upload.input.wrappedKey).add(upload.input.encryptedMetadata)
    secrets.add(metadata)
    const tus = { 'Tus-Resumable': '1.0.0' }
    await succeeds(send('OPTIONS', '/api/v1/uploads'))
    const create = () =>
      succeeds(
        send('POST', '/api/v1/uploads', {
          token,
          headers: { ...tus, 'Upload-Length': String(upload.content.length), 'Upload-Metadata': metadata },
        }),
      )
    const location = (await create()).headers.get('location')!
    await succeeds(send('OPTIONS', location))
    await succeeds(send('HEAD', location, { token, headers: tus }))
    await succeeds(send('DELETE', location, { token, headers: tus }))
    const again = (await create()).headers.get('location')!
    const part = { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' }
    await succeeds(send('PATCH', again, { token, headers: { ...tus, ...part }, body: upload.content }))
  }

  it('calls every route with real secrets, successfully', async () => {
    for (const path of ['/api/health/live', '/api/health', '/api/openapi.json']) await send('GET', path)
    const account = await registerOverHttp(server)
    secrets.add(account.password).add(account.recoveryProof)
    const session = await logInOverHttp(server, account)
    const refreshed = await jsonOf<{ accessToken: string }>(
      await send('POST', '/api/v1/sessions/refresh', { json: { refreshToken: session.refreshToken } }),
    )
    const token = refreshed.accessToken
    const { deviceId, key } = await addDeviceOverHttp(server, token)
    const spare = await addDeviceOverHttp(server, token)
    const upload = anUpload(deviceId, key)
    secrets.add(upload.input.signature).add(upload.input.wrappedKey).add(upload.input.encryptedMetadata)
    expect((await uploadOverHttp(server, token, upload)).status).to.equal(201)
    const backup = `/api/v1/backups/${upload.input.backupId}`
    for (const [method, path] of [
      ['GET', '/api/v1/account'],
      ['GET', '/api/v1/devices'],
      ['GET', '/api/v1/backups'],
      ['GET', backup],
      ['GET', `${backup}/content`],
      ['DELETE', backup],
      ['POST', `${backup}/restore`],
      ['GET', '/api/v1/audit'],
      ['DELETE', `/api/v1/devices/${spare.deviceId}`],
    ] as const)
      expect((await send(method, path, { token })).status, `${method} ${path}`).to.be.below(300)
    const bundle = () => ({
      passwordWrappedUmk: b64(randomBytes(60)),
      recoveryWrappedUmk: b64(randomBytes(60)),
    })
    await succeeds(
      send('PUT', '/api/v1/account/key-bundle', { token, json: { expectedVersion: 1, keyBundle: bundle() } }),
    )
    await succeeds(
      send('POST', '/api/v1/key-rotations', {
        token,
        json: {
          expectedVersion: 2,
          keyBundle: bundle(),
          wrappedKeys: [{ backupId: upload.input.backupId, wrappedKey: b64(randomBytes(60)) }],
        },
      }),
    )
    await resumableUpload(token, anUpload(deviceId, key))
    await secondFactorRoutes(token)
    const newPassword = `pw-${randomBytes(8).toString('hex')}`
    secrets.add(newPassword)
    await opaque.ready
    const started = opaque.client.startRegistration({ password: newPassword })
    const answer = await jsonOf<{ registrationResponse: string }>(
      await succeeds(
        send('POST', '/api/v1/account/password/start', {
          token,
          json: { registrationRequest: started.registrationRequest },
        }),
      ),
    )
    const finished = opaque.client.finishRegistration({
      clientRegistrationState: started.clientRegistrationState,
      registrationResponse: answer.registrationResponse,
      password: newPassword,
      keyStretching,
    })
    await succeeds(
      send('POST', '/api/v1/account/password/finish', {
        token,
        json: {
          expectedVersion: 3,
          registrationRecord: finished.registrationRecord,
          passwordWrappedUmk: b64(randomBytes(60)),
        },
      }),
    )
    const recovery = await succeeds(
      send('POST', '/api/v1/account/recovery/start', {
        json: { username: account.username, recoveryProof: account.recoveryProof },
      }),
    )
    const { recoveryToken } = await jsonOf<{ recoveryToken: string }>(recovery)
    const recoveredPassword = `pw-${randomBytes(8).toString('hex')}`
    secrets.add(recoveredPassword)
    const record = await opaqueRecordOverHttp(server, account.username, recoveredPassword)
    await succeeds(
      send('POST', '/api/v1/account/recovery/finish', {
        json: { recoveryToken, registrationRecord: record, passwordWrappedUmk: b64(randomBytes(60)) },
      }),
    )
    const again = await logInOverHttp(server, { username: account.username, password: recoveredPassword })
    expect((await send('DELETE', '/api/v1/sessions/current', { token: again.accessToken })).status).to.equal(
      204,
    )
    const last = await logInOverHttp(server, { username: account.username, password: recoveredPassword })
    expect((await send('DELETE', '/api/v1/account', { token: last.accessToken })).status).to.equal(202)
  })

  it('calls every route again with secrets where they do not belong: body, headers and query', async () => {
    const marker = () => `leak-${randomBytes(12).toString('hex')}`
    const ids = { backupId: crypto.randomUUID(), deviceId: crypto.randomUUID() }
    for (const route of await everyRoute()) {
      const [method = 'GET', template = '/'] = route.split(' ')
      const path = template.replace(/:(\w+)/g, (_, name: keyof typeof ids) => ids[name])
      const body = {
        username: marker(),
        password: marker(),
        refreshToken: marker(),
        keyBundle: { passwordWrappedUmk: marker() },
        finishLoginRequest: marker(),
        unexpected: marker(),
      }
      await send(method, `${path}?token=${marker()}`, {
        token: marker(),
        headers: { 'ZKEB-Signature': marker(), 'ZKEB-Wrapped-Key': marker(), 'ZKEB-Metadata': marker() },
        ...(method === 'GET' || method === 'DELETE' ? {} : { json: body }),
      })
      for (const value of [...Object.values(body), body.keyBundle.passwordWrappedUmk])
        if (typeof value === 'string') secrets.add(value)
    }
  })

  it('reports a bug (500) without its message, which may quote input', async () => {
    const secretMessage = `bug-${randomBytes(12).toString('hex')}`
    const throwing: Clock = {
      now: () => {
        throw new Error(secretMessage)
      },
    }
    const broken = await startTestServer({
      logger,
      overrides: { clock: throwing },
      observability: { metrics: noMetrics, reportBug: (err) => bugs.push(err) },
    })
    try {
      const res = await broken.call('POST', '/api/v1/sessions/refresh', {
        json: { refreshToken: 'x'.repeat(43) },
      })
      expect(res.status).to.equal(500)
    } finally {
      await broken.close()
    }
    secrets.add(secretMessage)
    expect(bugs.some((e) => e instanceof Error && e.message === secretMessage)).to.equal(true)
    expect(lines.join('')).to.include('unhandled error')
  })

  it('finds none of them in the log, which still names every route by template and accounts by hash', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50))
    const log = lines.join('')
    expect(secrets.size).to.be.greaterThan(100)
    for (const secret of secrets)
      expect(log, `a secret in the log (${secret.length} chars)`).not.to.include(secret)
    const requests = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'request')
    const logged = new Set(requests.map((l) => `${String(l['method'])} ${String(l['route'])}`))
    for (const route of await everyRoute()) expect(logged, route).to.include(route)
    expect(requests.some((l) => typeof l['account'] === 'string')).to.equal(true)
    expect(log).not.to.match(/leak-|\?token=/)
  })
})

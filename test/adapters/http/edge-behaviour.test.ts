import { randomBytes } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import sinon from 'sinon'
import type { HttpLogger } from '../../../adapters/http/http-types'
import { defaultRateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { unavailable } from '../../../application/errors'
import { aUsername } from '../../support/test-client'
import {
  aUserWithDevice,
  expectError,
  looseRateLimits,
  type TestServer,
  startTestServer,
} from './http-test-kit'

const startLoginBody = async (username: string) => {
  await opaque.ready
  return { username, startLoginRequest: opaque.client.startLogin({ password: 'x' }).startLoginRequest }
}

/** A logger that keeps every line, to check what reaches operators. */
const recordingLogger = (): HttpLogger & { lines: () => string } => {
  const lines: string[] = []
  const keep = (fields: Record<string, unknown>, message: string) =>
    void lines.push(JSON.stringify({ fields, message }))
  return { info: keep, warn: keep, error: keep, lines: () => lines.join('\n') }
}

describe('HTTP api-v1: rate limiting', () => {
  it('limits logins to 10 a minute per username, with RateLimit-* and Retry-After headers', async () => {
    const server = await startTestServer({
      rateLimits: { ...looseRateLimits, login: defaultRateLimitRules.login },
    })
    try {
      const body = await startLoginBody(aUsername())
      for (let i = 0; i < 10; i++) {
        const res = await server.call('POST', '/api/v1/sessions/start', { json: body })
        expect(res.status).to.equal(200)
        expect(res.headers.get('ratelimit-limit')).to.equal('10')
        expect(Number(res.headers.get('ratelimit-remaining'))).to.be.at.most(9 - i)
        await res.arrayBuffer()
      }
      const limited = await server.call('POST', '/api/v1/sessions/start', { json: body })
      expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0)
      expect(limited.headers.get('ratelimit-remaining')).to.equal('0')
      expect(limited.headers.get('ratelimit-reset')).to.match(/^[0-9]+$/)
      const error = await expectError(limited, 429, 'rate-limited', [body.username])
      expect(error.retryable).to.equal(true)
    } finally {
      await server.close()
    }
  })

  it('limits logins per IP across usernames', async () => {
    const server = await startTestServer({
      rateLimits: { ...looseRateLimits, login: defaultRateLimitRules.login },
    })
    try {
      for (let i = 0; i < 10; i++) {
        const res = await server.call('POST', '/api/v1/sessions/start', {
          json: await startLoginBody(aUsername()),
        })
        expect(res.status).to.equal(200)
        await res.arrayBuffer()
      }
      const res = await server.call('POST', '/api/v1/sessions/start', {
        json: await startLoginBody(aUsername()),
      })
      await expectError(res, 429, 'rate-limited')
    } finally {
      await server.close()
    }
  })

  it('limits authenticated calls per account', async () => {
    const account = { name: 'account', points: 3, windowSeconds: 60 }
    const server = await startTestServer({ rateLimits: { ...looseRateLimits, account } })
    try {
      const { token } = await aUserWithDevice(server) // spends one authenticated call (the device)
      expect((await server.call('GET', '/api/v1/devices', { token })).status).to.equal(200)
      expect((await server.call('GET', '/api/v1/devices', { token })).status).to.equal(200)
      await expectError(await server.call('GET', '/api/v1/devices', { token }), 429, 'rate-limited')
    } finally {
      await server.close()
    }
  })
})

describe('HTTP api-v1: request ids, bugs, outages, headers and health', () => {
  let server: TestServer
  let logger: ReturnType<typeof recordingLogger>
  let lifecycle: 'starting' | 'ready' | 'draining'
  before(async () => {
    logger = recordingLogger()
    server = await startTestServer({ logger, lifecycle: () => lifecycle })
  })
  beforeEach(() => {
    lifecycle = 'ready'
  })
  afterEach(() => sinon.restore())
  after(() => server.close())

  it('echoes a sane X-Request-Id and replaces an unsafe one with a generated UUID', async () => {
    const echoed = await server.call('GET', '/api/health/live', {
      headers: { 'X-Request-Id': 'trace-42.a:b' },
    })
    expect(echoed.headers.get('x-request-id')).to.equal('trace-42.a:b')
    const replaced = await server.call('GET', '/api/health/live', {
      headers: { 'X-Request-Id': 'a b<script>' },
    })
    expect(replaced.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/)
    const generated = await server.call('GET', '/api/v1/account')
    expect(generated.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/)
    expect((await expectError(generated, 401, 'unauthenticated')).requestId).to.equal(
      generated.headers.get('x-request-id'),
    )
  })

  it('answers a thrown bug with 500 internal-error exposing nothing, and logs no message', async () => {
    const { token } = await aUserWithDevice(server)
    const bug = `bug-detail-${randomBytes(4).toString('hex')}`
    sinon.stub(server.zkeb.ports.devices, 'list').throws(new TypeError(bug))
    const res = await server.call('GET', '/api/v1/devices', { token, headers: { 'X-Request-Id': 'bug-1' } })
    const error = await expectError(res, 500, 'internal-error', [bug, 'TypeError', 'stack'])
    expect(error).to.deep.equal({
      code: 'internal-error',
      message: 'Internal error.',
      retryable: false,
      requestId: 'bug-1',
    })
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff')
    expect(logger.lines()).to.include('unhandled error').and.include('TypeError').and.not.include(bug)
  })

  it('answers an unavailable dependency with 503 and Retry-After, logging the cause but not sending it', async () => {
    const { token } = await aUserWithDevice(server)
    const cause = `pg-down-${randomBytes(4).toString('hex')}`
    sinon.stub(server.zkeb.ports.devices, 'list').returns(TE.left(unavailable('postgres')(new Error(cause))))
    const res = await server.call('GET', '/api/v1/devices', { token })
    expect(Number(res.headers.get('retry-after'))).to.be.greaterThan(0)
    const error = await expectError(res, 503, 'unavailable', [cause, 'postgres'])
    expect(error.retryable).to.equal(true)
    expect(logger.lines()).to.include(cause).and.include('postgres')
  })

  it('never logs tokens, bodies or key material', async () => {
    const { token, session } = await aUserWithDevice(server)
    await server.call('GET', '/api/v1/account', { token })
    const text = logger.lines()
    expect(text).not.to.include(token)
    expect(text).not.to.include(session.refreshToken)
  })

  it('sets the security headers and no-store on JSON, on success and on errors', async () => {
    for (const res of [
      await server.call('GET', '/api/health/live'),
      await server.call('GET', '/api/v1/account'),
    ]) {
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff')
      expect(res.headers.get('x-frame-options')).to.equal('DENY')
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer')
      expect(res.headers.get('content-security-policy')).to.include("default-src 'none'")
      expect(res.headers.get('strict-transport-security')).to.match(/^max-age=/)
      expect(res.headers.get('cache-control')).to.equal('no-store')
      await res.arrayBuffer()
    }
  })

  it('reports readiness: 200 ok when ready, 503 with the lifecycle when starting or draining', async () => {
    const ok = await server.call('GET', '/api/health')
    expect(ok.status).to.equal(200)
    expect(await ok.json()).to.deep.equal({
      status: 'ok',
      version: 'test-1',
      checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
    })
    lifecycle = 'draining'
    const draining = await server.call('GET', '/api/health')
    expect(draining.status).to.equal(503)
    expect(((await draining.json()) as { status: string }).status).to.equal('draining')
    lifecycle = 'starting'
    expect(((await (await server.call('GET', '/api/health')).json()) as { status: string }).status).to.equal(
      'starting',
    )
  })

  it('reports a failing probe as degraded with 503', async () => {
    const probe = { name: 'database', check: () => TE.left(unavailable('postgres')(new Error('down'))) }
    const degradedServer = await startTestServer({ overrides: { probes: [probe] } })
    try {
      const res = await degradedServer.call('GET', '/api/health')
      expect(res.status).to.equal(503)
      expect(await res.json()).to.deep.equal({
        status: 'degraded',
        version: 'test-1',
        checks: { database: 'failing' },
      })
    } finally {
      await degradedServer.close()
    }
  })
})

/**
 * Over HTTP: TOTP enrolment and the login it then gates. Once enrolled, sessions/finish needs a second factor
 * (asked for only after a right password), a TOTP code is taken once, a recovery code is spent once, wrong codes
 * are limited per account, removal needs a fresh login, and each step is in the audit trail.
 */
import { expect } from 'chai'
import { Secret, TOTP } from 'otpauth'
import { seconds } from '../../support/controllable-clock'
import {
  aUserWithDevice,
  expectError,
  type HttpAccount,
  type HttpCaller,
  jsonOf,
  startTestServer,
  type TestServer,
} from './http-test-kit'
import { finishLogin } from './login-steps'

type Enrolled = Readonly<{ secret: string; recoveryCodes: ReadonlyArray<string>; factorId: string }>

const codeAt = (secret: string, at: Date): string =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at.getTime() })

const enrol = async (server: TestServer, token: string): Promise<Enrolled> => {
  const started = await server.call('POST', '/api/v1/second-factors/totp', { token })
  expect(started.status).to.equal(201)
  expect(started.headers.get('cache-control')).to.equal('no-store')
  const { factorId, secret, otpauthUri } = await jsonOf<{
    factorId: string
    secret: string
    otpauthUri: string
  }>(started)
  expect(otpauthUri).to.match(/^otpauth:\/\/totp\/ZKEB:/)
  const confirmed = await server.call('POST', '/api/v1/second-factors/totp/confirm', {
    token,
    json: { factorId, code: codeAt(secret, server.zkeb.clock.now()) },
  })
  expect(confirmed.status).to.equal(200)
  const { recoveryCodes } = await jsonOf<{ recoveryCodes: string[] }>(confirmed)
  return { secret, recoveryCodes, factorId }
}

const eventTypes = async (server: HttpCaller, token: string): Promise<string[]> => {
  const res = await server.call('GET', '/api/v1/audit?limit=200', { token })
  const { items } = await jsonOf<{ items: Array<{ type: string }> }>(res)
  return items.map((e) => e.type)
}

describe('HTTP api-v1: second factors', () => {
  let server: TestServer
  let account: HttpAccount
  let token: string
  beforeEach(async () => {
    server = await startTestServer()
    const user = await aUserWithDevice(server)
    account = user.account
    token = user.token
  })
  afterEach(() => server.close())

  const nextStep = () => server.zkeb.clock.advance(seconds(30))

  it('an unconfirmed enrolment gates nothing; a wrong confirmation code is refused', async () => {
    const started = await server.call('POST', '/api/v1/second-factors/totp', { token })
    const { factorId } = await jsonOf<{ factorId: string }>(started)
    await expectError(
      await server.call('POST', '/api/v1/second-factors/totp/confirm', {
        token,
        json: { factorId, code: '000000' },
      }),
      401,
      'second-factor-invalid',
    )
    const list = await jsonOf<{ items: Array<{ confirmed: boolean }>; recoveryCodesLeft: number }>(
      await server.call('GET', '/api/v1/second-factors', { token }),
    )
    expect(list.items.map((f) => f.confirmed)).to.deep.equal([false])
    expect(list.recoveryCodesLeft).to.equal(0)
    expect((await finishLogin(server, account)).status).to.equal(200)
  })

  it('once enrolled, a login needs the factor, and only after a right password', async () => {
    const { secret, recoveryCodes } = await enrol(server, token)
    expect(recoveryCodes).to.have.length(10)
    const asked = await expectError(await finishLogin(server, account), 401, 'second-factor-required')
    expect(asked.details).to.deep.equal({ accepted: ['totp', 'recovery-code'] })
    nextStep()
    const code = codeAt(secret, server.zkeb.clock.now())
    const wrongPassword = await finishLogin(
      server,
      { ...account, password: 'not the password' },
      {
        kind: 'totp',
        code,
      },
    )
    await expectError(wrongPassword, 401, 'invalid-credentials')
    expect((await finishLogin(server, account, { kind: 'totp', code })).status).to.equal(200)
  })

  it('refuses a replayed TOTP code and a spent recovery code', async () => {
    const { secret, recoveryCodes } = await enrol(server, token)
    await expectError(
      await finishLogin(server, account, { kind: 'totp', code: codeAt(secret, server.zkeb.clock.now()) }),
      401,
      'second-factor-invalid',
    )
    nextStep()
    const code = codeAt(secret, server.zkeb.clock.now())
    expect((await finishLogin(server, account, { kind: 'totp', code })).status).to.equal(200)
    await expectError(
      await finishLogin(server, account, { kind: 'totp', code }),
      401,
      'second-factor-invalid',
    )
    const recovery = { kind: 'recovery-code', code: recoveryCodes[0]!.toLowerCase() } as const
    expect((await finishLogin(server, account, recovery)).status).to.equal(200)
    await expectError(await finishLogin(server, account, recovery), 401, 'second-factor-invalid')
    const list = await jsonOf<{ recoveryCodesLeft: number }>(
      await server.call('GET', '/api/v1/second-factors', { token }),
    )
    expect(list.recoveryCodesLeft).to.equal(9)
  })

  it('limits wrong codes per account: then even a right one waits', async () => {
    const { secret } = await enrol(server, token)
    nextStep()
    const right = codeAt(secret, server.zkeb.clock.now())
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0')
    for (let i = 0; i < 5; i++)
      await expectError(
        await finishLogin(server, account, { kind: 'totp', code: wrong }),
        401,
        'second-factor-invalid',
      )
    const limited = await finishLogin(server, account, { kind: 'totp', code: right })
    await expectError(limited, 429, 'rate-limited')
    expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0)
  })

  it('removal needs a fresh login; then the password alone logs in again', async () => {
    const { secret, factorId } = await enrol(server, token)
    server.zkeb.clock.advance(seconds(301))
    await expectError(
      await server.call('DELETE', `/api/v1/second-factors/${factorId}`, { token }),
      403,
      'fresh-login-required',
    )
    const fresh = await jsonOf<{ accessToken: string }>(
      await finishLogin(server, account, { kind: 'totp', code: codeAt(secret, server.zkeb.clock.now()) }),
    )
    const removed = await server.call('DELETE', `/api/v1/second-factors/${factorId}`, {
      token: fresh.accessToken,
    })
    expect(removed.status).to.equal(204)
    expect((await finishLogin(server, account)).status).to.equal(200)
    const list = await jsonOf<{ items: unknown[]; recoveryCodesLeft: number }>(
      await server.call('GET', '/api/v1/second-factors', { token: fresh.accessToken }),
    )
    expect(list).to.deep.equal({ items: [], recoveryCodesLeft: 0 })
  })

  it('records enrolment, failures, recovery codes and removal in the audit trail', async () => {
    const { recoveryCodes, factorId } = await enrol(server, token)
    await finishLogin(server, account, { kind: 'totp', code: '000000' })
    const session = await jsonOf<{ accessToken: string }>(
      await finishLogin(server, account, { kind: 'recovery-code', code: recoveryCodes[1]! }),
    )
    await server.call('DELETE', `/api/v1/second-factors/${factorId}`, { token: session.accessToken })
    const types = await eventTypes(server, session.accessToken)
    for (const type of [
      'second-factor-enrolled',
      'second-factor-failed',
      'recovery-code-used',
      'second-factor-removed',
    ])
      expect(types).to.include(type)
  })
})

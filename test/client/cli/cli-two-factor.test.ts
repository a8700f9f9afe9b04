/**
 * `zkeb 2fa`: enrol an authenticator (the code asked after the secret is shown), then every login asks for a
 * code (ZKEB_TOTP) or takes a recovery code (ZKEB_RECOVERY_CODE); removal logs in again first.
 */
import { expect } from 'chai'
import { Secret, TOTP } from 'otpauth'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { seconds } from '../../support/controllable-clock'
import { aPassword, aServer } from '../sdk/sdk-kit'
import { aCliUser, interceptingFetch } from './cli-kit'
import { readStateJson, registered } from './session-kit'

describe('zkeb 2fa and logins with a second factor', function () {
  this.timeout(60_000)
  let server: TestServer
  const password = aPassword()

  beforeEach(async () => {
    server = await aServer()
  })
  afterEach(() => server.close())

  it('enrols, then logs in with a TOTP code or a recovery code, and removes the factor', async () => {
    const { user } = await registered(server, password)
    const username = readStateJson(user).username as string
    let secret = ''
    const code = () =>
      new TOTP({ secret: Secret.fromBase32(secret) }).generate({
        timestamp: server.zkeb.clock.now().getTime(),
      })
    const capture = interceptingFetch(async (url, _init, res) => {
      if (new URL(url).pathname === '/api/v1/second-factors/totp')
        secret = ((await res.clone().json()) as { secret: string }).secret
      return res
    })
    const enrolled = await user.run(['2fa', 'enrol', '--json'], {
      env: { ZKEB_PASSWORD: password },
      fetch: capture,
      readSecret: () => Promise.resolve(code()),
    })
    expect(enrolled.code, enrolled.stderr).to.equal(0)
    const { factorId, recoveryCodes } = JSON.parse(enrolled.stdout) as {
      factorId: string
      recoveryCodes: string[]
    }
    expect(recoveryCodes).to.have.length(10)
    expect(enrolled.stdout).to.not.include(secret)

    server.zkeb.clock.advance(seconds(30))
    const laptop = aCliUser(server.base)
    const refused = await laptop.run(['login', username], { env: { ZKEB_PASSWORD: password } })
    expect(refused.code).to.not.equal(0)
    expect(refused.stderr).to.match(/authentication code/)
    // A first login on a machine logs in twice (the second binds the new device): the app's next code.
    const nextCode = () => {
      server.zkeb.clock.advance(seconds(30))
      return Promise.resolve(code())
    }
    const withCode = await laptop.run(['login', username], {
      env: { ZKEB_PASSWORD: password, ZKEB_TOTP: code() },
      readSecret: nextCode,
    })
    expect(withCode.code, withCode.stderr).to.equal(0)
    const phone = aCliUser(server.base)
    const recovery = { ZKEB_PASSWORD: password, ZKEB_RECOVERY_CODE: recoveryCodes[0]! }
    const withRecovery = await phone.run(['login', username], {
      env: recovery,
      readSecret: () => Promise.resolve(recoveryCodes[1]),
    })
    expect(withRecovery.code, withRecovery.stderr).to.equal(0)
    const spent = await aCliUser(server.base).run(['login', username], { env: recovery })
    expect(spent.code).to.not.equal(0)
    expect(spent.stderr).to.match(/second-factor-invalid/)

    server.zkeb.clock.advance(seconds(3600))
    // The kept session is bound to this device already: one login, one code.
    const removed = await user.run(['2fa', 'remove', factorId], {
      env: { ZKEB_PASSWORD: password, ZKEB_TOTP: code() },
    })
    expect(removed.code, removed.stderr).to.equal(0)
    const listed = await user.run(['2fa'], { env: { ZKEB_PASSWORD: password } })
    expect(listed.stdout).to.include('No second factor.')
  })

  it('recovers with the recovery key, then logs in with the factor, which the recovery kept', async () => {
    const user = aCliUser(server.base)
    const reg = await user.run(['register', `u-${Date.now()}`, '--json'], {
      env: { ZKEB_PASSWORD: password },
    })
    expect(reg.code, reg.stderr).to.equal(0)
    const { recoveryKey } = JSON.parse(reg.stdout) as { recoveryKey: string }
    let secret = ''
    const code = () =>
      new TOTP({ secret: Secret.fromBase32(secret) }).generate({
        timestamp: server.zkeb.clock.now().getTime(),
      })
    const enrolled = await user.run(['2fa', 'enrol'], {
      env: { ZKEB_PASSWORD: password },
      fetch: interceptingFetch(async (url, _init, res) => {
        if (new URL(url).pathname === '/api/v1/second-factors/totp')
          secret = ((await res.clone().json()) as { secret: string }).secret
        return res
      }),
      readSecret: () => Promise.resolve(code()),
    })
    expect(enrolled.code, enrolled.stderr).to.equal(0)
    server.zkeb.clock.advance(seconds(30))
    const next = aPassword()
    const recovered = await user.run(['recover'], {
      env: { ZKEB_RECOVERY_KEY: recoveryKey, ZKEB_NEW_PASSWORD: next, ZKEB_TOTP: code() },
      // The session is then bound to this device by a second login: the app's next code.
      readSecret: () => {
        server.zkeb.clock.advance(seconds(30))
        return Promise.resolve(code())
      },
    })
    expect(recovered.code, recovered.stderr).to.equal(0)
    const listed = await user.run(['2fa'], { env: { ZKEB_PASSWORD: next } })
    expect(listed.code, listed.stderr).to.equal(0)
    expect(listed.stdout).to.include('totp')
  })

  it('explains itself: zkeb 2fa --help', async () => {
    const help = await aCliUser(server.base).run(['2fa', '--help'])
    expect(help.code).to.equal(0)
    expect(help.stdout).to.include('2fa enrol').and.to.include('ZKEB_TOTP')
  })
})

/**
 * Over HTTP: once a session's login is older than five minutes, the sensitive routes answer 403
 * `fresh-login-required` with a step-up challenge (RFC 9470's `insufficient_user_authentication`, `max_age`),
 * and change nothing; a new login passes.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { seconds } from '../../support/controllable-clock'
import {
  addDeviceOverHttp,
  aUserWithDevice,
  changePasswordOverHttp,
  expectError,
  logInOverHttp,
  startTestServer,
  type TestServer,
} from './http-test-kit'

describe('HTTP api-v1: sensitive routes need a fresh login', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer()
  })
  afterEach(() => server.close())

  const expectStale = async (res: Response): Promise<void> => {
    const challenge = res.headers.get('www-authenticate')
    const error = await expectError(res, 403, 'fresh-login-required')
    expect(error.details).to.deep.equal({ maxAgeSeconds: 300 })
    expect(challenge).to.equal('Bearer realm="zkeb", error="insufficient_user_authentication", max_age=300')
  }

  it('refuses password change, erasure, another device’s revocation and restic token creation', async () => {
    const user = await aUserWithDevice(server)
    const other = await addDeviceOverHttp(server, user.token)
    server.zkeb.clock.advance(seconds(301))
    const token = user.token
    await expectStale(
      await server.call('POST', '/api/v1/account/password/start', {
        token,
        json: { registrationRequest: randomBytes(32).toString('base64url') },
      }),
    )
    await expectStale(
      await server.call('POST', '/api/v1/account/password/finish', {
        token,
        json: {
          expectedVersion: 1,
          registrationRecord: randomBytes(192).toString('base64url'),
          passwordWrappedUmk: randomBytes(60).toString('base64url'),
        },
      }),
    )
    await expectStale(await server.call('DELETE', '/api/v1/account', { token }))
    await expectStale(await server.call('DELETE', `/api/v1/devices/${other.deviceId}`, { token }))
    await expectStale(
      await server.call('POST', '/api/v1/restic-tokens', { token, json: { appendOnly: false } }),
    )
    expect((await server.call('GET', '/api/v1/account', { token })).status).to.equal(200)

    const fresh = await logInOverHttp(server, user.account)
    expect((await changePasswordOverHttp(server, fresh.accessToken, 'a new password')).status).to.equal(200)
    const revoked = await server.call('DELETE', `/api/v1/devices/${other.deviceId}`, {
      token: fresh.accessToken,
    })
    expect(revoked.status).to.equal(204)
  })
})

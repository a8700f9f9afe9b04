import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { expect } from 'chai'
import { login } from '../../../client/sdk'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, optionsFor, right } from '../sdk/sdk-kit'
import { aCliUser } from './cli-kit'
import {
  lastTokens,
  loginsOf,
  readStateJson,
  recordingTokens,
  registered,
  statePathOf,
  type Issued,
} from './session-kit'

describe('zkeb’s kept session: logout, secrets at rest, wrong or foreign state', function () {
  this.timeout(60_000)
  let server: TestServer
  const password = aPassword()
  const withPassword = { env: { ZKEB_PASSWORD: password } }

  before(async () => {
    server = await aServer()
  })
  after(() => server.close())

  it('ends the session on the server at logout, keeps the device for the next login, and then exits 3', async () => {
    const issued: Issued[] = []
    const { user, deviceId } = await registered(server, password, { fetch: recordingTokens(issued) })
    const kept = lastTokens(issued)
    const whoami = await user.run(['whoami'], { ...withPassword, fetch: recordingTokens(issued) })
    expect(whoami.code, whoami.stderr).to.equal(0)
    expect(lastTokens(issued)).to.deep.equal(kept) // not rotated since: `kept` is the live refresh token
    const out = await user.run(['logout'], withPassword)
    expect(out.code, out.stderr).to.equal(0)
    const refreshed = await server.call('POST', '/api/v1/sessions/refresh', {
      json: { refreshToken: kept.refreshToken },
    })
    expect(refreshed.status).to.equal(401)
    expect(((await refreshed.json()) as { error: { code: string } }).error.code).to.equal(
      'invalid-refresh-token',
    )
    expect((await server.call('GET', '/api/v1/account', { token: kept.accessToken })).status).to.equal(401)
    expect(readStateJson(user)).not.to.have.any.keys('session', 'unlock')
    expect((await user.run(['ls'], withPassword)).code).to.equal(3)
    const again = await user.run(['login', '--json'], withPassword)
    expect(again.code, again.stderr).to.equal(0)
    expect((JSON.parse(again.stdout) as { deviceId: string }).deviceId).to.equal(deviceId)
    expect((await user.run(['ls'], withPassword)).code).to.equal(0)
  })

  it('keeps a 0600 state file holding neither the tokens nor the UMK in clear', async () => {
    const issued: Issued[] = []
    const { user } = await registered(server, password, { fetch: recordingTokens(issued) })
    const state = readStateJson(user)
    expect(state.version).to.equal(2)
    expect(state).to.include.keys('session', 'unlock')
    expect(statSync(statePathOf(user)).mode & 0o777).to.equal(0o600)
    const { umk } = right(await login(optionsFor(server), { username: state.username as string, password }))
    const bytes = readFileSync(statePathOf(user))
    const kept = lastTokens(issued)
    const umkForms = [
      Buffer.from(umk),
      ...(['base64', 'base64url', 'hex'] as const).map((f) => Buffer.from(umk).toString(f)),
    ]
    for (const secret of [kept.refreshToken, kept.accessToken, password, ...umkForms])
      expect(bytes.includes(secret), 'a secret in clear').to.equal(false)
  })

  it('refuses a wrong password with exit 4 and leaves the state as it was', async () => {
    const { user, accountId } = await registered(server, password)
    const before = readFileSync(statePathOf(user))
    const logins = await loginsOf(server, accountId)
    const wrong = await user.run(['ls'], { env: { ZKEB_PASSWORD: 'not-the-password' } })
    expect(wrong.code).to.equal(4)
    expect(wrong.stderr).to.match(/^zkeb: wrong username or password\n$/)
    expect(readFileSync(statePathOf(user)).equals(before)).to.equal(true)
    expect((await user.run(['ls'], withPassword)).code).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(logins)
  })

  it('refuses a session or unlock blob taken from another account or device', async () => {
    const a = await registered(server, password)
    const b = await registered(server, password)
    const stateA = readStateJson(a.user)
    const stateB = readStateJson(b.user)
    const tryWith = async (state: Record<string, unknown>) => {
      writeFileSync(statePathOf(a.user), JSON.stringify(state))
      const result = await a.user.run(['ls'], withPassword)
      expect(readFileSync(statePathOf(a.user), 'utf8')).to.equal(JSON.stringify(state)) // nothing rewritten
      return result
    }
    const swappedSession = await tryWith({ ...stateA, session: stateB.session })
    expect(swappedSession.code).to.equal(10)
    expect(swappedSession.stderr).to.match(/^zkeb: local state .*state\.json is corrupted; [^\n]*\n$/)
    const swappedBoth = await tryWith({ ...stateA, session: stateB.session, unlock: stateB.unlock })
    expect(swappedBoth.code).to.equal(4)
    const otherDevice = await tryWith({ ...stateA, deviceId: b.deviceId })
    expect(otherDevice.code).to.equal(4)
    const garbage = await tryWith({ ...stateA, session: '%%not base64%%' })
    expect(garbage.code).to.equal(10)
  })

  it('after a password change on another machine, `zkeb login` with the new password resumes the same device', async () => {
    const { user, deviceId } = await registered(server, password)
    const username = readStateJson(user).username as string
    const other = aCliUser(server.base)
    expect((await other.run(['login', username], withPassword)).code).to.equal(0)
    const newPassword = aPassword()
    const changed = await other.run(['passwd'], {
      env: { ZKEB_PASSWORD: password, ZKEB_NEW_PASSWORD: newPassword },
    })
    expect(changed.code, changed.stderr).to.equal(0)
    expect((await other.run(['ls'], { env: { ZKEB_PASSWORD: newPassword } })).code).to.equal(0)
    expect((await user.run(['ls'], { env: { ZKEB_PASSWORD: newPassword } })).code).to.equal(4)
    expect((await user.run(['ls'], withPassword)).code).to.equal(4) // its session ended, the old password is refused
    const again = await user.run(['login', '--json'], { env: { ZKEB_PASSWORD: newPassword } })
    expect(again.code, again.stderr).to.equal(0)
    expect((JSON.parse(again.stdout) as { deviceId: string }).deviceId).to.equal(deviceId)
    expect((await user.run(['ls'], { env: { ZKEB_PASSWORD: newPassword } })).code).to.equal(0)
  })
})

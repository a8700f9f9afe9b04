/**
 * The server wants a login of the last five minutes for sensitive calls; the CLI's kept session may be days
 * old. Before passwd, devices revoke and restic-token create, the CLI proves the password it already asks for
 * with one OPAQUE login, keeps that session instead of the old one (which it ends), and the command works.
 * Commands that are not sensitive keep reusing the kept session without a login.
 */
import { expect } from 'chai'
import { seconds } from '../../support/controllable-clock'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer } from '../sdk/sdk-kit'
import { aCliUser, interceptingFetch } from './cli-kit'
import { loginsOf, readStateJson, registered } from './session-kit'

describe('zkeb re-proves the password before a sensitive command', function () {
  this.timeout(60_000)
  let server: TestServer
  const password = aPassword()
  const withPassword = { env: { ZKEB_PASSWORD: password } }

  beforeEach(async () => {
    server = await aServer()
  })
  afterEach(() => server.close())

  it('creates a restic token, revokes another device and changes the password from an hour-old session', async () => {
    const { user, accountId } = await registered(server, password)
    const username = readStateJson(user).username as string
    const laptop = aCliUser(server.base)
    const onLaptop = await laptop.run(['login', username, '--json'], withPassword)
    expect(onLaptop.code, onLaptop.stderr).to.equal(0)
    const laptopDevice = (JSON.parse(onLaptop.stdout) as { deviceId: string }).deviceId
    server.zkeb.clock.advance(seconds(3600))

    const before = await loginsOf(server, accountId)
    const quota = await user.run(['quota'], withPassword)
    expect(quota.code, quota.stderr).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(before)

    const token = await user.run(['restic-token', 'create', '--repo', 'laptop'], withPassword)
    expect(token.code, token.stderr).to.equal(0)
    const revoked = await user.run(['devices', 'revoke', laptopDevice], withPassword)
    expect(revoked.code, revoked.stderr).to.equal(0)
    const changed = await user.run(['passwd'], {
      env: { ZKEB_PASSWORD: password, ZKEB_NEW_PASSWORD: 'the new password' },
    })
    expect(changed.code, changed.stderr).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(before + 3)

    // The session kept after passwd is the fresh one: it works without another login.
    const after = await user.run(['whoami'], { env: { ZKEB_PASSWORD: 'the new password' } })
    expect(after.code, after.stderr).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(before + 3)
  })

  it('refuses a wrong password before asking the server anything', async () => {
    const { user, accountId } = await registered(server, password)
    server.zkeb.clock.advance(seconds(3600))
    const paths: string[] = []
    const fetch = interceptingFetch((url, _init, res) => {
      paths.push(new URL(url).pathname)
      return res
    })
    const refused = await user.run(['restic-token', 'create'], { env: { ZKEB_PASSWORD: 'not it' }, fetch })
    expect(refused.code).to.equal(4)
    expect(paths).to.deep.equal([])
    expect(accountId).to.be.a('string')
  })
})

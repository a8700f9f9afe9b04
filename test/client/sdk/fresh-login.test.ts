/**
 * The SDK against a server that wants a recent login for sensitive calls: an old session gets an ApiError the
 * SDK names (isFreshLoginRequired); `reauthenticate` proves the password again in a new session for the same
 * device, which then passes, and ends the old one.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  createResticToken,
  getAccount,
  isFreshLoginRequired,
  login,
  reauthenticate,
  register,
  registerDevice,
} from '../../../client/sdk'
import { seconds } from '../../support/controllable-clock'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, aUsername, left, optionsFor, right } from './sdk-kit'

describe('SDK: fresh login for sensitive calls', function () {
  this.timeout(30_000)
  let server: TestServer
  before(async () => {
    server = await aServer()
  })
  after(() => server.close())

  it('reauthenticates an old session as the same device, and the sensitive call then passes', async () => {
    const options = optionsFor(server)
    const username = aUsername()
    const password = aPassword()
    right(await register(options, { username, password }))
    const first = right(await login(options, { username, password }))
    const { session } = right(await registerDevice(first, 'laptop'))
    server.zkeb.clock.advance(seconds(600))

    expect(isFreshLoginRequired(left(await createResticToken(session, { appendOnly: true })))).to.equal(true)
    expect(left(await reauthenticate(session, 'not the password'))._tag).to.equal('WrongPassword')
    right(await getAccount(session)) // a wrong password changed nothing

    const fresh = right(await reauthenticate(session, password))
    expect(fresh.device?.deviceId).to.equal(session.device?.deviceId)
    const token = right(await createResticToken(fresh, { appendOnly: true }))
    expect(token.deviceId).to.equal(session.device?.deviceId)
    const ended = await getAccount(session)
    expect(E.isLeft(ended) && ended.left._tag === 'ApiError' && ended.left.status).to.equal(401)
  })
})

import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { fetchAudit, login, register, rotateKeys, verifyAuditChain, type Session } from '../../../client/sdk'
import { aPassword, aServer, aUsername, left, optionsFor, right } from './sdk-kit'

describe('the SDK audit check and rotation guard', function () {
  this.timeout(30_000)
  let server: TestServer
  let session: Session
  before(async () => {
    server = await aServer()
    const username = aUsername()
    const password = aPassword()
    right(await register(optionsFor(server), { username, password }))
    right(await login(optionsFor(server), { username, password }))
    session = right(await login(optionsFor(server), { username, password }))
  })
  after(() => server.close())

  it('finds the first edited, dropped or reordered event of the audit trail', async () => {
    const { events, firstBroken } = right(await fetchAudit(session))
    expect(firstBroken).to.equal(-1)
    expect(events.length).to.be.greaterThan(2)
    expect(
      verifyAuditChain(
        session.accountId,
        events.map((e, i) => (i === 1 ? { ...e, type: 'logout' } : e)),
      ),
    ).to.equal(1)
    expect(verifyAuditChain(session.accountId, [events[0]!, ...events.slice(2)])).to.equal(1)
    expect(verifyAuditChain(session.accountId, [events[1]!, events[0]!, ...events.slice(2)])).to.equal(0)
    expect(
      verifyAuditChain(
        session.accountId,
        events.map((e, i) => (i === 2 ? { ...e, at: 'yesterday' } : e)),
      ),
    ).to.equal(2)
  })

  it('refuses to rotate with a recovery key of another account, before changing anything', async () => {
    const other = right(await register(optionsFor(server), { username: aUsername(), password: aPassword() }))
    expect(left(await rotateKeys(session, { recoveryKey: other.recoveryKey }))).to.deep.equal({
      _tag: 'BadRecoveryKey',
      reason: 'mismatch',
    })
    expect(left(await rotateKeys(session, { recoveryKey: 'AAAA-BBBB' }))).to.deep.equal({
      _tag: 'BadRecoveryKey',
      reason: 'format',
    })
    const { events } = right(await fetchAudit(session))
    expect(events.map((e) => e.type)).not.to.include('key-rotated')
  })
})

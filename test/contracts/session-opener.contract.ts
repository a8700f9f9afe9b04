/** The SessionOpener contract: the one-transaction knex adapter and its over-ports twin behave alike. */
import { createHash } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { SessionOpener } from '../../application/ports/session-opener'
import type { SessionStore } from '../../application/ports/session-store'
import { firstBrokenLink, genesisHash } from '../../domain/audit'
import { invalidRefreshToken } from '../../domain/errors'
import { aDigest, aSession } from '../support/builders'
import { aDeviceId, anAccount, anAccountId, anAuditDraft, at } from '../support/persistence-builders'
import { left, type PersistenceHarness, right } from './harness'

export type SessionOpenerHarness = PersistenceHarness &
  Readonly<{ sessions: SessionStore; opener: SessionOpener }>

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const everything = { limit: 1000, cursor: O.none }

export const sessionOpenerContract = (
  name: string,
  setUp: () => Promise<SessionOpenerHarness>,
): Mocha.Suite =>
  describe(`SessionOpener contract (${name})`, () => {
    let h: SessionOpenerHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccount = async (overrides = {}) => {
      const account = anAccount(overrides)
      await right(h.accounts.create(account))
      return account
    }

    it('opens a session its refresh digest rotates, and records one `login` event for it', async () => {
      const { accountId } = await givenAccount()
      const session = aSession({ accountId, deviceId: aDeviceId(), createdAt: at(10) })
      const digest = aDigest()
      expect(await right(h.opener.open(session, digest, 'req-open'))).to.equal('opened')
      expect(await right(h.sessions.findLive(session.sessionId, at(20)))).to.deep.equal(O.some(session))
      const events = await right(h.audit.list(accountId, everything))
      expect(events).to.have.length(1)
      expect(events[0]).to.deep.include({
        accountId,
        type: 'login',
        deviceId: session.deviceId,
        requestId: 'req-open',
        at: at(10),
        prevHash: genesisHash,
      })
      expect(await right(h.sessions.rotate(digest, aDigest(), at(30)))).to.deep.equal(session)
    })

    it('links the `login` event after the events already in the chain', async () => {
      const { accountId } = await givenAccount()
      const before = await right(h.audit.append(anAuditDraft(accountId, { type: 'device-added' }), at(1)))
      await right(h.opener.open(aSession({ accountId, createdAt: at(2) }), aDigest(), 'req-next'))
      const events = await right(h.audit.list(accountId, everything))
      expect(events.map((e) => e.type)).to.deep.equal(['device-added', 'login'])
      expect(events[1]!.prevHash).to.equal(before.hash)
      expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
    })

    it('refuses a disabled account and writes nothing', async () => {
      const account = await givenAccount()
      await right(h.accounts.save({ ...account, disabledAt: O.some(at(1)) }, account.keyBundleVersion))
      const session = aSession({ accountId: account.accountId })
      const digest = aDigest()
      expect(await right(h.opener.open(session, digest, 'req-disabled'))).to.equal('refused')
      expect(await right(h.sessions.findLive(session.sessionId, at(2)))).to.deep.equal(O.none)
      expect(await left(h.sessions.rotate(digest, aDigest(), at(3)))).to.deep.equal(invalidRefreshToken)
      expect(await right(h.audit.list(account.accountId, everything))).to.deep.equal([])
    })

    it('refuses an account that does not exist (deleted since the password was proved)', async () => {
      const session = aSession({ accountId: anAccountId() })
      expect(await right(h.opener.open(session, aDigest(), 'req-gone'))).to.equal('refused')
      expect(await right(h.sessions.findLive(session.sessionId, at(2)))).to.deep.equal(O.none)
    })

    it('keeps the chain unbroken when logins and other appends of one account run at once', async () => {
      const { accountId } = await givenAccount()
      const sessions = Array.from({ length: 6 }, (_, i) => aSession({ accountId, createdAt: at(i) }))
      const outcomes = await Promise.all([
        ...sessions.map((s) => right(h.opener.open(s, aDigest(), 'req-many'))),
        right(h.audit.append(anAuditDraft(accountId, { type: 'device-added' }), at(50))),
        right(h.audit.append(anAuditDraft(accountId, { type: 'device-added' }), at(51))),
      ])
      expect(outcomes.slice(0, sessions.length)).to.deep.equal(sessions.map(() => 'opened'))
      const events = await right(h.audit.list(accountId, everything))
      expect(events.filter((e) => e.type === 'login')).to.have.length(sessions.length)
      expect(events).to.have.length(sessions.length + 2)
      expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
    })
  })

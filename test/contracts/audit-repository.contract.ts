/** The AuditRepository contract, run against every adapter. */
import { createHash } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { type AuditEvent, firstBrokenLink, genesisHash } from '../../domain/audit'
import type { AccountId } from '../../domain/ids'
import { aDeviceId, anAccount, anAccountId, anAuditDraft, at } from '../support/persistence-builders'
import { left, type PersistenceHarness, right } from './harness'

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const everything = { limit: 1000, cursor: O.none }

export const auditRepositoryContract = (
  name: string,
  setUp: () => Promise<PersistenceHarness>,
): Mocha.Suite =>
  describe(`AuditRepository contract (${name})`, () => {
    let h: PersistenceHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccount = async (): Promise<AccountId> => {
      const account = anAccount()
      await right(h.accounts.create(account))
      return account.accountId
    }
    const appendMany = async (accountId: AccountId, count: number): Promise<AuditEvent[]> => {
      const events: AuditEvent[] = []
      for (let i = 0; i < count; i++) events.push(await right(h.audit.append(anAuditDraft(accountId), at(i))))
      return events
    }

    it('links the first event to the genesis hash and returns it as stored, time to the millisecond', async () => {
      const accountId = await givenAccount()
      const draft = anAuditDraft(accountId, { type: 'device-added', deviceId: aDeviceId() })
      const event = await right(h.audit.append(draft, at(321)))
      expect(event).to.deep.include({ ...draft, at: at(321), prevHash: genesisHash })
      expect(await right(h.audit.list(accountId, everything))).to.deep.equal([event])
    })

    it('chains each event to the previous one so the whole list verifies', async () => {
      const accountId = await givenAccount()
      const events = await appendMany(accountId, 5)
      expect(events[3]!.prevHash).to.equal(events[2]!.hash)
      expect(firstBrokenLink(await right(h.audit.list(accountId, everything)), sha256Hex)).to.equal(-1)
    })

    it('lists oldest first and pages after a cursor, returning up to limit + 1 rows', async () => {
      const accountId = await givenAccount()
      const events = await appendMany(accountId, 5)
      expect(await right(h.audit.list(accountId, { limit: 2, cursor: O.none }))).to.deep.equal(
        events.slice(0, 3),
      )
      const cursor = O.some({ at: events[1]!.at, id: events[1]!.eventId })
      expect(await right(h.audit.list(accountId, { limit: 2, cursor }))).to.deep.equal(events.slice(2, 5))
    })

    it("keeps each account's chain separate and invisible to the other", async () => {
      const [a, b] = [await givenAccount(), await givenAccount()]
      const [ofA] = await appendMany(a, 1)
      const [ofB] = await appendMany(b, 1)
      expect(ofB!.prevHash).to.equal(genesisHash)
      expect(await right(h.audit.list(a, everything))).to.deep.equal([ofA])
      const foreignCursor = O.some({ at: ofA!.at, id: ofA!.eventId })
      expect(await right(h.audit.list(b, { limit: 10, cursor: foreignCursor }))).to.deep.equal([])
    })

    it('never forks the chain under concurrent appends', async () => {
      const accountId = await givenAccount()
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => h.audit.append(anAuditDraft(accountId), at(i))()),
      )
      const events = await right(h.audit.list(accountId, everything))
      expect(events).to.have.length(20)
      expect(new Set(events.map((e) => e.prevHash)).size).to.equal(20)
      expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
    })

    it('refuses an event for an account that does not exist', async () => {
      expect((await left(h.audit.append(anAuditDraft(anAccountId()), at())))._tag).to.equal('Unavailable')
    })

    it('does nothing until the task is run', async () => {
      const accountId = await givenAccount()
      const append = h.audit.append(anAuditDraft(accountId), at())
      expect(await right(h.audit.list(accountId, everything))).to.deep.equal([])
      expect(await right(append)).to.deep.equal((await right(h.audit.list(accountId, everything)))[0])
    })
  })

/** The SessionStore contract, run against every adapter: in-memory, PostgreSQL, and Redis over PostgreSQL. */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { SessionStore } from '../../application/ports/session-store'
import { invalidRefreshToken, refreshTokenReused } from '../../domain/errors'
import { aDeviceId, aDigest, anAccountId, aSession, at } from '../support/builders'
import { left, right } from './harness'

export type SessionStoreHarness = Readonly<{ store: SessionStore; close: () => Promise<void> }>

const hour = 60 * 60 * 1000

export const sessionStoreContract = (name: string, setUp: () => Promise<SessionStoreHarness>): Mocha.Suite =>
  describe(`SessionStore contract (${name})`, () => {
    let h: SessionStoreHarness
    before(async () => {
      h = await setUp()
    })
    after(() => h.close())

    const givenSession = async (overrides = {}) => {
      const session = aSession(overrides)
      const digest = aDigest()
      await right(h.store.create(session, digest))
      return { session, digest }
    }

    it('finds a created session while it is live', async () => {
      const { session } = await givenSession()
      expect(await right(h.store.findLive(session.sessionId, at(1000)))).to.deep.equal(O.some(session))
    })

    it('finds nothing for an unknown session', async () => {
      expect(await right(h.store.findLive(aSession().sessionId, at()))).to.deep.equal(O.none)
    })

    it('stops finding a session once it has expired', async () => {
      const { session } = await givenSession({ expiresAt: at(hour) })
      expect(await right(h.store.findLive(session.sessionId, at(hour)))).to.deep.equal(O.none)
    })

    it('exchanges the current refresh digest for the next one, once', async () => {
      const { session, digest } = await givenSession()
      const next = aDigest()
      expect(await right(h.store.rotate(digest, next, at(1)))).to.deep.equal(session)
      expect(await right(h.store.rotate(next, aDigest(), at(2)))).to.deep.equal(session)
    })

    it('revokes the whole family when an exchanged digest is presented again', async () => {
      const { session, digest } = await givenSession()
      const next = aDigest()
      await right(h.store.rotate(digest, next, at(1)))
      expect(await left(h.store.rotate(digest, aDigest(), at(2)))).to.deep.equal(refreshTokenReused)
      expect(await right(h.store.findLive(session.sessionId, at(3)))).to.deep.equal(O.none)
      expect(E.isLeft(await h.store.rotate(next, aDigest(), at(4))())).to.equal(true)
    })

    it('lets exactly one of two concurrent rotations of a digest win, and revokes the family for the other', async () => {
      for (let round = 0; round < 5; round += 1) {
        const { session, digest } = await givenSession()
        const outcomes = await Promise.all([
          h.store.rotate(digest, aDigest(), at(1))(),
          h.store.rotate(digest, aDigest(), at(1))(),
        ])
        expect(outcomes.filter(E.isRight).map((o) => o.right)).to.deep.equal([session])
        expect(outcomes.filter(E.isLeft).map((o) => o.left)).to.deep.equal([refreshTokenReused])
        expect(await right(h.store.findLive(session.sessionId, at(2)))).to.deep.equal(O.none)
      }
    })

    it('refuses an unknown digest as an invalid refresh token', async () => {
      expect(await left(h.store.rotate(aDigest(), aDigest(), at()))).to.deep.equal(invalidRefreshToken)
    })

    it('refuses to rotate an expired or revoked session', async () => {
      const expired = await givenSession({ expiresAt: at(hour) })
      expect(await left(h.store.rotate(expired.digest, aDigest(), at(hour + 1)))).to.deep.equal(
        invalidRefreshToken,
      )
      const revoked = await givenSession()
      await right(h.store.revoke(revoked.session.sessionId))
      expect(await left(h.store.rotate(revoked.digest, aDigest(), at(1)))).to.deep.equal(invalidRefreshToken)
    })

    it('ends a revoked session at once', async () => {
      const { session } = await givenSession()
      await right(h.store.revoke(session.sessionId))
      expect(await right(h.store.findLive(session.sessionId, at(1)))).to.deep.equal(O.none)
    })

    it("ends only the revoked device's sessions", async () => {
      const accountId = anAccountId()
      const deviceId = aDeviceId()
      const onDevice = await givenSession({ accountId, deviceId })
      const elsewhere = await givenSession({ accountId, deviceId: aDeviceId() })
      const otherAccount = await givenSession({ deviceId })
      await right(h.store.revokeDevice(accountId, deviceId))
      expect(await right(h.store.findLive(onDevice.session.sessionId, at(1)))).to.deep.equal(O.none)
      expect(O.isSome(await right(h.store.findLive(elsewhere.session.sessionId, at(1))))).to.equal(true)
      expect(O.isSome(await right(h.store.findLive(otherAccount.session.sessionId, at(1))))).to.equal(true)
    })

    it("ends every session of the account but the one kept, and no other account's", async () => {
      const accountId = anAccountId()
      const kept = await givenSession({ accountId })
      const ended = await givenSession({ accountId })
      const stranger = await givenSession()
      await right(h.store.revokeAccount(accountId, kept.session.sessionId))
      expect(O.isSome(await right(h.store.findLive(kept.session.sessionId, at(1))))).to.equal(true)
      expect(await right(h.store.findLive(ended.session.sessionId, at(1)))).to.deep.equal(O.none)
      expect(O.isSome(await right(h.store.findLive(stranger.session.sessionId, at(1))))).to.equal(true)
      await right(h.store.revokeAccount(accountId))
      expect(await right(h.store.findLive(kept.session.sessionId, at(1)))).to.deep.equal(O.none)
    })

    it('does nothing until the task is run', async () => {
      const session = aSession()
      void h.store.create(session, aDigest())
      expect(await right(h.store.findLive(session.sessionId, at(1)))).to.deep.equal(O.none)
    })
  })

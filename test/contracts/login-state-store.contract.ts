/** The LoginStateStore contract, run against every adapter: in-memory and Redis. */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { LoginStateStore } from '../../application/ports/login-state-store'
import { aPendingLogin, aPendingRecovery, aSecret } from '../support/builders'
import { right } from './harness'

export type LoginStateStoreHarness = Readonly<{
  store: LoginStateStore
  /** Lets `ms` pass for the store: advances a fake clock, or really waits. */
  elapse: (ms: number) => Promise<void>
  close: () => Promise<void>
}>

export const loginStateStoreContract = (
  name: string,
  setUp: () => Promise<LoginStateStoreHarness>,
): Mocha.Suite =>
  describe(`LoginStateStore contract (${name})`, () => {
    let h: LoginStateStoreHarness
    before(async () => {
      h = await setUp()
    })
    after(() => h.close())

    it('returns what was put, exactly once', async () => {
      const key = aSecret()
      const state = aPendingLogin()
      await right(h.store.put(key, state, 60))
      expect(await right(h.store.take(key))).to.deep.equal(O.some(state))
      expect(await right(h.store.take(key))).to.deep.equal(O.none)
    })

    it('keeps a fake login (no account) and a recovery apart from each other', async () => {
      const fake = aPendingLogin({ accountId: null })
      const recovery = aPendingRecovery()
      const [k1, k2] = [aSecret(), aSecret()]
      await right(h.store.put(k1, fake, 60))
      await right(h.store.put(k2, recovery, 60))
      expect(await right(h.store.take(k2))).to.deep.equal(O.some(recovery))
      expect(await right(h.store.take(k1))).to.deep.equal(O.some(fake))
    })

    it('returns nothing for an unknown key', async () => {
      expect(await right(h.store.take(aSecret()))).to.deep.equal(O.none)
    })

    it('forgets a state once its time to live has passed', async () => {
      const key = aSecret()
      await right(h.store.put(key, aPendingLogin(), 1))
      await h.elapse(1100)
      expect(await right(h.store.take(key))).to.deep.equal(O.none)
    })

    it('still returns a state before its time to live has passed', async () => {
      const key = aSecret()
      const state = aPendingLogin()
      await right(h.store.put(key, state, 60))
      await h.elapse(1100)
      expect(await right(h.store.take(key))).to.deep.equal(O.some(state))
    })

    it('does nothing until the task is run', async () => {
      const key = aSecret()
      void h.store.put(key, aPendingLogin(), 60)
      void h.store.take(key)
      expect(await right(h.store.take(key))).to.deep.equal(O.none)
    })
  })

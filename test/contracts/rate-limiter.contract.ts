/** The RateLimiter contract, run against every adapter (in-memory, Redis, Redis Cluster). */
import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type { RateLimiter, RateLimitRule } from '../../application/ports/rate-limiter'
import { left, right } from './harness'

export type RateLimiterHarness = Readonly<{
  limiter: RateLimiter
  /** Lets `ms` pass for the limiter: advances a fake clock, or really waits. */
  elapse: (ms: number) => Promise<void>
  close: () => Promise<void>
}>

/** A rule of its own per test, so suites need no reset between tests. */
const aRule = (points = 3, windowSeconds = 60): RateLimitRule => ({
  name: `rule-${randomUUID().slice(0, 8)}`,
  points,
  windowSeconds,
})

export const rateLimiterContract = (name: string, setUp: () => Promise<RateLimiterHarness>): Mocha.Suite =>
  describe(`RateLimiter contract (${name})`, () => {
    let h: RateLimiterHarness
    before(async () => {
      h = await setUp()
    })
    after(() => h.close())

    it('counts the remaining points down', async () => {
      const rule = aRule(3)
      const first = await right(h.limiter.consume(rule, 'k'))
      expect(first.limit).to.equal(3)
      expect(first.remaining).to.equal(2)
      expect(first.resetSeconds).to.be.within(1, 60)
      expect((await right(h.limiter.consume(rule, 'k'))).remaining).to.equal(1)
      expect((await right(h.limiter.consume(rule, 'k'))).remaining).to.equal(0)
    })

    it('refuses the point past the limit and says when to retry', async () => {
      const rule = aRule(2)
      await right(h.limiter.consume(rule, 'k'))
      await right(h.limiter.consume(rule, 'k'))
      const refused = await left(h.limiter.consume(rule, 'k'))
      expect(refused._tag).to.equal('RateLimited')
      if (refused._tag === 'RateLimited') expect(refused.retryAfterSeconds).to.be.within(1, 60)
    })

    it('counts keys and rules separately', async () => {
      const rule = aRule(1)
      await right(h.limiter.consume(rule, 'a'))
      expect((await right(h.limiter.consume(rule, 'b'))).remaining).to.equal(0)
      expect((await right(h.limiter.consume(aRule(1), 'a'))).remaining).to.equal(0)
    })

    it('gives the points back once the window has passed', async () => {
      const rule = aRule(1, 1)
      await right(h.limiter.consume(rule, 'k'))
      await left(h.limiter.consume(rule, 'k'))
      await h.elapse(1100)
      expect((await right(h.limiter.consume(rule, 'k'))).remaining).to.equal(0)
    })

    it('admits at most the limit in any window, also across a window boundary', async () => {
      // A sliding window: a point spent at t counts until t + window, wherever clock boundaries fall and
      // whenever the key's first point came (fixed windows give up to twice the limit across a boundary).
      const rule = aRule(3, 1)
      const windowMs = 1000
      const admitted: number[] = []
      let now = 0
      let refusal: unknown
      /** At `ms` into the test, tries `tries` points; how many were admitted. */
      const spendAt = async (ms: number, tries: number): Promise<number> => {
        await h.elapse(ms - now)
        now = ms
        let n = 0
        for (let i = 0; i < tries; i += 1) {
          const result = await h.limiter.consume(rule, 'k')()
          if (E.isLeft(result)) {
            refusal = result.left
            continue
          }
          n += 1
          admitted.push(now)
        }
        return n
      }

      expect(await spendAt(0, 1)).to.equal(1)
      expect(await spendAt(600, 3), '0.6 s: the rest of the limit').to.equal(2)
      expect(await spendAt(1200, 3), '1.2 s: only the point of 0 s left the window').to.equal(1)
      expect(refusal).to.deep.equal({ _tag: 'RateLimited', retryAfterSeconds: 1 })
      expect(await spendAt(1700, 3), '1.7 s: the points of 0.6 s left too').to.equal(2)
      for (const t of admitted) {
        const inWindow = admitted.filter((u) => u > t - windowMs && u <= t)
        expect(inWindow.length, `points in the window ending at ${t} ms`).to.be.at.most(rule.points)
      }
    })

    it('peeks without spending: the state consume would answer, and the refusal once nothing is left', async () => {
      const rule = aRule(2)
      const fresh = await right(h.limiter.peek(rule, 'k'))
      expect(fresh).to.include({ limit: 2, remaining: 2 })
      await right(h.limiter.consume(rule, 'k'))
      for (let i = 0; i < 3; i++) expect((await right(h.limiter.peek(rule, 'k'))).remaining).to.equal(1)
      expect((await right(h.limiter.consume(rule, 'k'))).remaining).to.equal(0)
      const refused = await left(h.limiter.peek(rule, 'k'))
      expect(refused._tag).to.equal('RateLimited')
      if (refused._tag === 'RateLimited') expect(refused.retryAfterSeconds).to.be.within(1, 60)
      expect((await right(h.limiter.peek(rule, 'other'))).remaining).to.equal(2)
    })

    it('lets a peeked-at subject spend its points once the window has passed', async () => {
      const rule = aRule(1, 1)
      await right(h.limiter.consume(rule, 'k'))
      await left(h.limiter.peek(rule, 'k'))
      await h.elapse(1100)
      expect((await right(h.limiter.peek(rule, 'k'))).remaining).to.equal(1)
      expect((await right(h.limiter.consume(rule, 'k'))).remaining).to.equal(0)
    })

    it('does nothing until the task is run', async () => {
      const rule = aRule(1)
      void h.limiter.consume(rule, 'k')
      expect((await right(h.limiter.consume(rule, 'k'))).remaining).to.equal(0)
    })
  })

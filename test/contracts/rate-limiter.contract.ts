/** The RateLimiter contract, run against every adapter: in-memory and Redis. */
import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
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

    it('does nothing until the task is run', async () => {
      const rule = aRule(1)
      void h.limiter.consume(rule, 'k')
      expect((await right(h.limiter.consume(rule, 'k'))).remaining).to.equal(0)
    })
  })

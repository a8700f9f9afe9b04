import type * as TE from 'fp-ts/TaskEither'
import type { RateLimited, Unavailable } from '../errors'

export type RateLimitRule = Readonly<{ name: string; points: number; windowSeconds: number }>
export type RateLimitState = Readonly<{ limit: number; remaining: number; resetSeconds: number }>

/**
 * Sliding-window counters keyed by rule and subject (an IP, an account, a username digest).
 * Implementations: adapters/in-memory, adapters/redis. Contract: test/contracts/rate-limiter.contract.ts.
 * SECURITY: callers pass digests, never raw usernames, as keys may reach a shared cache.
 */
export type RateLimiter = {
  /** Spends a point of `rule` for `key`; Left(RateLimited) when none is left (nothing is spent then). */
  readonly consume: (
    rule: RateLimitRule,
    key: string,
  ) => TE.TaskEither<Unavailable | RateLimited, RateLimitState>
  /**
   * What `consume` would answer now, without spending: for limits on failures, asked before the work they
   * guard (a subject over its limit is refused without doing it) and charged only once that work failed.
   */
  readonly peek: (
    rule: RateLimitRule,
    key: string,
  ) => TE.TaskEither<Unavailable | RateLimited, RateLimitState>
}

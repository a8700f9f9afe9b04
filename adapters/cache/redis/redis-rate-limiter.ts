/**
 * Knows how to count fixed-window rate limits in Redis, shared by every instance behind the load balancer,
 * through rate-limiter-flexible's RateLimiterRedis (one atomic Lua INCR + expiry per call, auto-pipelined with the
 * other commands of its event-loop turn). A window opens at a
 * key's first point and lasts `windowSeconds`. Held to the in-memory twin by test/contracts/rate-limiter.contract.ts.
 * Keys: `rate:<rule name>:<key>` under the connection's prefix (callers pass digests, never raw usernames).
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { RedisClient } from './create-redis'
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { rateLimited, type RateLimited, type Unavailable } from '../../../application/errors'
import type { RateLimiter, RateLimitRule } from '../../../application/ports/rate-limiter'
import { redisUnavailable } from './redis-values'

const secondsUntil = (msBeforeNext: number): number => Math.max(1, Math.ceil(msBeforeNext / 1000))

/** The library rejects with a RateLimiterRes when the points are spent, and with an error when Redis fails. */
const toFailure = (reason: unknown): Unavailable | RateLimited =>
  reason instanceof RateLimiterRes ? rateLimited(secondsUntil(reason.msBeforeNext)) : redisUnavailable(reason)

export const redisRateLimiter = (redis: RedisClient): RateLimiter => {
  /** One limiter per rule (points and window are per limiter); rules come from configuration, so few. */
  const limiters = new Map<string, RateLimiterRedis>()
  const limiterFor = (rule: RateLimitRule): RateLimiterRedis => {
    const id = `${rule.name}|${rule.points}|${rule.windowSeconds}`
    const existing = limiters.get(id)
    if (existing !== undefined) return existing
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `rate:${rule.name}`,
      points: rule.points,
      duration: rule.windowSeconds,
      // Fail at once while disconnected, instead of queueing behind a reconnect.
      rejectIfRedisNotReady: true,
    })
    limiters.set(id, limiter)
    return limiter
  }

  return {
    consume: (rule, key) =>
      pipe(
        TE.tryCatch(() => limiterFor(rule).consume(key), toFailure),
        TE.map((res) => ({
          limit: rule.points,
          remaining: res.remainingPoints,
          resetSeconds: secondsUntil(res.msBeforeNext),
        })),
      ),
  }
}

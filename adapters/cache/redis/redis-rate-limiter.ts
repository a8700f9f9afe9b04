/**
 * Knows how to count sliding-window rate limits in Redis, shared by every instance behind the load balancer:
 * one Lua script per charge (atomic, one key, auto-pipelined with the other commands of its event-loop turn)
 * keeps the points of a rule and subject per sixtieth of the window in a hash, by Redis's own clock, so that
 * no window of that length, wherever it starts, holds more than the limit; the in-memory twin computes the
 * same (see there). Held to it by test/contracts/rate-limiter.contract.ts.
 * Keys: `rate:<rule name>:<key>` under the connection's prefix (callers pass digests, never raw usernames),
 * a hash of at most 61 small fields that expires one window after its last point.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { rateLimited } from '../../../application/errors'
import type { RateLimiter, RateLimitRule } from '../../../application/ports/rate-limiter'
import type { RedisClient } from './create-redis'
import { rateChargeCommand as commandName } from './rate-charge-command'
import { command } from './redis-values'

/** How many parts a window is counted in, as in the in-memory twin. */
const windowParts = 60

type ChargeReply = [admitted: number, used: number, returnsMs: number]
type Charging = { [commandName]: (key: string, ...args: number[]) => Promise<ChargeReply> }

export const redisRateLimiter = (redis: RedisClient): RateLimiter => {
  const charging = redis as unknown as Charging
  const charge = (rule: RateLimitRule, key: string, spend: boolean) => {
    const windowMs = rule.windowSeconds * 1000
    return command(() =>
      charging[commandName](
        `rate:${rule.name}:${key}`,
        rule.points,
        windowMs,
        Math.max(1, Math.ceil(windowMs / windowParts)),
        spend ? 1 : 0,
      ),
    )
  }
  const count = (rule: RateLimitRule, key: string, spend: boolean) =>
    pipe(
      charge(rule, key, spend),
      TE.flatMapEither(([admitted, used, returnsMs]) => {
        // As the in-memory twin: at most the window, at least a second.
        const resetSeconds = Math.min(rule.windowSeconds, Math.max(1, Math.ceil(returnsMs / 1000)))
        return admitted === 1
          ? E.right({ limit: rule.points, remaining: rule.points - used, resetSeconds })
          : E.left(rateLimited(resetSeconds))
      }),
    )

  return {
    consume: (rule, key) => count(rule, key, true),
    peek: (rule, key) => count(rule, key, false),
  }
}

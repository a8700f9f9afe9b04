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
import { command } from './redis-values'

const commandName = 'zkebRateCharge'

/** How many parts a window is counted in, as in the in-memory twin. */
const windowParts = 60

/**
 * KEYS[1] the counter; ARGV points, window and part length in ms. Drops the parts that left the window
 * (now - window, now], spends a point if the rest leaves room, and answers {admitted 0|1, points used, ms until
 * the oldest counted point leaves the window}.
 */
const chargeScript = `
local points = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local partMs = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local part = math.floor(now / partMs)
local firstPart = math.floor((now - windowMs) / partMs)
local fields = redis.call('HGETALL', KEYS[1])
local used, oldest, stale = 0, part, {}
for i = 1, #fields, 2 do
  local index = tonumber(fields[i])
  if index < firstPart then
    stale[#stale + 1] = fields[i]
  else
    used = used + tonumber(fields[i + 1])
    if index < oldest then oldest = index end
  end
end
if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
local admitted = 0
if used < points then
  redis.call('HINCRBY', KEYS[1], string.format('%d', part), 1)
  redis.call('PEXPIRE', KEYS[1], windowMs + partMs)
  used = used + 1
  admitted = 1
end
return { admitted, used, (oldest + 1) * partMs + windowMs - now }
`

type ChargeReply = [admitted: number, used: number, returnsMs: number]
type Charging = { [commandName]: (key: string, ...args: number[]) => Promise<ChargeReply> }

/**
 * Defines the script's command on `redis`. createRedis calls this on every new connection: see there why the
 * command must exist before any auto-pipeline does.
 */
export const defineRateLimitCommand = (redis: RedisClient): void => {
  redis.defineCommand(commandName, { numberOfKeys: 1, lua: chargeScript })
}

export const redisRateLimiter = (redis: RedisClient): RateLimiter => {
  const charging = redis as unknown as Charging
  const charge = (rule: RateLimitRule, key: string, windowMs: number) =>
    command(() =>
      charging[commandName](
        `rate:${rule.name}:${key}`,
        rule.points,
        windowMs,
        Math.max(1, Math.ceil(windowMs / windowParts)),
      ),
    )

  return {
    consume: (rule, key) =>
      pipe(
        charge(rule, key, rule.windowSeconds * 1000),
        TE.flatMapEither(([admitted, used, returnsMs]) => {
          // As the in-memory twin: at most the window, at least a second.
          const resetSeconds = Math.min(rule.windowSeconds, Math.max(1, Math.ceil(returnsMs / 1000)))
          return admitted === 1
            ? E.right({ limit: rule.points, remaining: rule.points - used, resetSeconds })
            : E.left(rateLimited(resetSeconds))
        }),
      ),
  }
}

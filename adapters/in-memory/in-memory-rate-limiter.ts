/**
 * Sliding-window rate limiting in process memory, by the injected Clock: a point counts for one window after
 * it was spent, so no window of that length, wherever it starts, holds more than the limit (fixed windows
 * allow up to twice the limit across a boundary). Points are counted per sixtieth of the window, and a
 * sixtieth counts as long as any of it lies in the window: a point may count up to a sixtieth of the window
 * longer than its own time, never shorter. The Redis twin computes the same in one script.
 * Contract: test/contracts/rate-limiter.contract.ts.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import type { Clock } from '../../application/ports/clock'
import type { RateLimiter, RateLimitRule, RateLimitState } from '../../application/ports/rate-limiter'
import { type RateLimited, rateLimited } from '../../application/errors'

/** How many parts a window is counted in (redis-rate-limiter.ts uses the same). */
const windowParts = 60

type Counter = {
  /** Points per part, by the part's index (milliseconds since the epoch / part length). */
  readonly parts: Map<number, number>
  /** When the last point stops counting: the counter can be dropped then. */
  expiresMs: number
}

type Charge = Readonly<{ admitted: boolean; used: number; oldestPart: number }>

/** Drops the parts that left the window; spends a point if the rest leaves room for it and `spend`. */
const charge = (
  counter: Counter,
  rule: RateLimitRule,
  part: number,
  firstPart: number,
  spend: boolean,
): Charge => {
  let used = 0
  let oldestPart = part
  for (const [index, points] of counter.parts) {
    if (index < firstPart) {
      counter.parts.delete(index)
      continue
    }
    used += points
    oldestPart = Math.min(oldestPart, index)
  }
  if (used >= rule.points) return { admitted: false, used, oldestPart }
  if (!spend) return { admitted: true, used, oldestPart }
  counter.parts.set(part, (counter.parts.get(part) ?? 0) + 1)
  return { admitted: true, used: used + 1, oldestPart }
}

export const inMemoryRateLimiter = (clock: Clock): RateLimiter => {
  const counters = new Map<string, Counter>()

  /** Counters whose points all left their window are dropped once the map grows, so idle keys cost nothing. */
  const prune = (nowMs: number): void => {
    if (counters.size < 10_000) return
    for (const [id, counter] of counters) if (counter.expiresMs <= nowMs) counters.delete(id)
  }

  /** Spends a point when `spend` and there is room; either way answers as consume would. */
  const count = (
    rule: RateLimitRule,
    key: string,
    spend: boolean,
  ): TE.TaskEither<RateLimited, RateLimitState> =>
    TE.fromIOEither(() => {
      const nowMs = clock.now().getTime()
      const windowMs = rule.windowSeconds * 1000
      const partMs = Math.max(1, Math.ceil(windowMs / windowParts))
      const part = Math.floor(nowMs / partMs)
      prune(nowMs)
      const id = `${rule.name}:${key}`
      const counter = counters.get(id) ?? { parts: new Map<number, number>(), expiresMs: 0 }
      if (spend) counters.set(id, counter)
      // A part counts while any of it lies in the window (nowMs - windowMs, nowMs].
      const result = charge(counter, rule, part, Math.floor((nowMs - windowMs) / partMs), spend)
      if (spend) counter.expiresMs = (part + 1) * partMs + windowMs
      // When the oldest counted point leaves the window, reported within the window's length.
      const returnsMs = (result.oldestPart + 1) * partMs + windowMs - nowMs
      const resetSeconds = Math.min(rule.windowSeconds, Math.max(1, Math.ceil(returnsMs / 1000)))
      return result.admitted
        ? E.right({ limit: rule.points, remaining: rule.points - result.used, resetSeconds })
        : E.left(rateLimited(resetSeconds))
    })

  return {
    consume: (rule, key) => count(rule, key, true),
    peek: (rule, key) => count(rule, key, false),
  }
}

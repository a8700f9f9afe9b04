/**
 * Fixed-window rate limiting in process memory, windows aligned to the injected Clock.
 * Contract: test/contracts/rate-limiter.contract.ts.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import type { Clock } from '../../application/ports/clock'
import type { RateLimiter } from '../../application/ports/rate-limiter'
import { rateLimited } from '../../application/errors'

type Window = { startMs: number; endMs: number; count: number }

export const inMemoryRateLimiter = (clock: Clock): RateLimiter => {
  const windows = new Map<string, Window>()

  /** Closed windows are dropped once the map grows, so idle keys cost nothing for long. */
  const prune = (nowMs: number): void => {
    if (windows.size < 10_000) return
    for (const [key, w] of windows) if (w.endMs <= nowMs) windows.delete(key)
  }

  return {
    consume: (rule, key) =>
      TE.fromIOEither(() => {
        const nowMs = clock.now().getTime()
        const windowMs = rule.windowSeconds * 1000
        const startMs = Math.floor(nowMs / windowMs) * windowMs
        prune(nowMs)
        const id = `${rule.name}:${key}`
        const current = windows.get(id)
        const window =
          current !== undefined && current.startMs === startMs
            ? current
            : { startMs, endMs: startMs + windowMs, count: 0 }
        window.count += 1
        windows.set(id, window)
        const resetSeconds = Math.max(1, Math.ceil((startMs + windowMs - nowMs) / 1000))
        return window.count > rule.points
          ? E.left(rateLimited(resetSeconds))
          : E.right({ limit: rule.points, remaining: rule.points - window.count, resetSeconds })
      }),
  }
}

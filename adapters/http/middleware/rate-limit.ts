import { createHash } from 'node:crypto'
import * as E from 'fp-ts/Either'
import type { RateLimited, Unavailable } from '../../../application/errors'
import type { RateLimiter, RateLimitRule, RateLimitState } from '../../../application/ports/rate-limiter'
import type { AppContext, AppMiddleware, HttpLogger } from '../http-types'
import { rateLimitedError } from '../error-response'
import { sendApplicationError, sendError } from '../respond'

/** The rules of api-v1's limits table; configurable, documented in the OpenAPI. */
export type RateLimitRules = Readonly<{
  /** sessions/start: per IP and per username digest. */
  login: RateLimitRule
  /** registration/start and /finish: per IP and per username digest. */
  registration: RateLimitRule
  /** recovery/start and /finish: per IP, and per username digest on start. */
  recovery: RateLimitRule
  /** sessions/refresh: per IP (refresh tokens are unguessable; this bounds abuse). */
  refresh: RateLimitRule
  /** Every authenticated call, restic's included: per account. */
  account: RateLimitRule
  /**
   * Failed restic basic-auth attempts: per IP (an IP over it is refused before any credential is checked)
   * and per username digest (failures over it are refused; the user's valid tokens still pass).
   */
  resticAuth: RateLimitRule
}>

export const defaultRateLimitRules: RateLimitRules = {
  login: { name: 'login', points: 10, windowSeconds: 60 },
  registration: { name: 'registration', points: 10, windowSeconds: 60 },
  recovery: { name: 'recovery', points: 10, windowSeconds: 60 },
  refresh: { name: 'refresh', points: 60, windowSeconds: 60 },
  account: { name: 'account', points: 1200, windowSeconds: 60 },
  resticAuth: { name: 'restic-auth', points: 20, windowSeconds: 60 },
}

/** SECURITY: usernames reach a shared cache only as digests. */
export const usernameDigest = (username: string): string =>
  createHash('sha256').update(username.normalize('NFC').toLowerCase()).digest('hex')

const setRateLimitHeaders = (ctx: AppContext, state: RateLimitState): void => {
  const tightest = ctx.state.rateLimit
  if (tightest !== undefined && tightest.remaining <= state.remaining) return
  ctx.state.rateLimit = state
  ctx.set('RateLimit-Limit', String(state.limit))
  ctx.set('RateLimit-Remaining', String(Math.max(0, state.remaining)))
  ctx.set('RateLimit-Reset', String(Math.max(0, Math.ceil(state.resetSeconds))))
}

/**
 * Acts on the limiter's answer for `rule`: true to go on (the RateLimit headers set), false once the request was
 * answered — 429 `rate-limited` with Retry-After over the limit, 503 when the limiter is down (fail closed: an
 * unlimited login endpoint is worse than a brief outage).
 */
export const admitted = (
  ctx: AppContext,
  logger: HttpLogger,
  rule: RateLimitRule,
  result: E.Either<Unavailable | RateLimited, RateLimitState>,
): boolean => {
  if (E.isRight(result)) {
    setRateLimitHeaders(ctx, result.right)
    return true
  }
  if (result.left._tag === 'Unavailable') {
    sendApplicationError(ctx, logger, result.left)
    return false
  }
  ctx.set('RateLimit-Limit', String(rule.points))
  ctx.set('RateLimit-Remaining', '0')
  ctx.set('RateLimit-Reset', String(Math.max(1, Math.ceil(result.left.retryAfterSeconds))))
  sendError(ctx, rateLimitedError(result.left.retryAfterSeconds))
  return false
}

/**
 * Spends one point of `rule` for the subject `keyOf` names (no subject: no charge, the codec will refuse
 * the request), then answers as `admitted` says.
 */
export const rateLimitMiddleware =
  (
    limiter: RateLimiter,
    logger: HttpLogger,
    rule: RateLimitRule,
    keyOf: (ctx: AppContext) => string | undefined,
  ): AppMiddleware =>
  async (ctx, next) => {
    const key = keyOf(ctx)
    if (key === undefined) {
      await next()
      return
    }
    if (admitted(ctx, logger, rule, await limiter.consume(rule, key)())) await next()
  }

export const byIp = (ctx: AppContext): string => `ip:${ctx.ip}`

/** The JSON body's `username`, digested; undefined when there is none (the codec then answers 400). */
export const byUsername = (ctx: AppContext): string | undefined => {
  const body = ctx.state.jsonBody
  const username =
    typeof body === 'object' && body !== null ? (body as { username?: unknown }).username : undefined
  return typeof username === 'string' ? `user:${usernameDigest(username)}` : undefined
}

/** The per-account subject, charged by authenticateAndLimitMiddleware while the session is being checked. */
export const accountKey = (accountId: string): string => `account:${accountId}`

/**
 * Knows how a restic client proves who it is: HTTP basic auth, the account's username as user and a restic
 * access token as password, checked live on every request; and the rate limits around it. Failed attempts are
 * limited per client IP (an IP over its limit gets 429 before any credential is checked, so a flood costs no
 * lookups) and per username digest (failures over it get 429, but that user's valid tokens still pass: a
 * username is public, and nobody may stop someone's backups by guessing in their name). A valid request spends
 * a point of its account's limit, shared with the API. Every 429 carries Retry-After: restic retries with
 * backoff, so a backup slowed by the account's limit goes on.
 * SECURITY: the credentials are never logged; a missing, malformed or wrong one answers the same 401.
 */
import * as E from 'fp-ts/Either'
import type { ResticCaller } from '../../../application/context'
import type { RateLimited, Unavailable } from '../../../application/errors'
import type { RateLimiter, RateLimitRule, RateLimitState } from '../../../application/ports/rate-limiter'
import type { AuthenticateRestic } from '../../../application/restic'
import type { AppContext, HttpLogger } from '../http-types'
import { accountKey, byIp, usernameDigest } from '../middleware/rate-limit'
import { replyFailure, replyRateLimited, replyUnauthorized } from './restic-replies'

const basicPattern = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i

/** The limiter and the two rules restic requests are held to. */
export type ResticLimits = Readonly<{
  limiter: RateLimiter
  /** Failed authentications, per IP and per username digest. */
  failures: RateLimitRule
  /** Every authenticated request, per account (the API's rule and subject). */
  account: RateLimitRule
}>

/** `user:password` from an Authorization header, or undefined. */
export const basicCredentials = (header: string): { user: string; password: string } | undefined => {
  const encoded = basicPattern.exec(header)?.[1]
  if (encoded === undefined || encoded.length > 1024) return undefined
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 1) return undefined
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

type Limited = E.Either<Unavailable | RateLimited, RateLimitState>

/** True to go on; else the request was answered: 429 over the limit, 503 when the limiter is down (closed). */
const admitted = (ctx: AppContext, logger: HttpLogger, rule: RateLimitRule, result: Limited): boolean => {
  if (E.isRight(result)) return true
  if (result.left._tag === 'Unavailable') replyFailure(ctx, logger, result.left)
  else replyRateLimited(ctx, rule.points, result.left.retryAfterSeconds)
  return false
}

/** Charges a failed attempt to the IP and, when one was named, the username; answers 429 or 401. */
const refuse = async (
  ctx: AppContext,
  logger: HttpLogger,
  limits: ResticLimits,
  username: string | undefined,
): Promise<void> => {
  const subjects = [byIp(ctx), ...(username === undefined ? [] : [`user:${usernameDigest(username)}`])]
  const charges = await Promise.all(subjects.map((key) => limits.limiter.consume(limits.failures, key)()))
  if (charges.every((charge) => admitted(ctx, logger, limits.failures, charge))) replyUnauthorized(ctx)
}

/**
 * The caller for the repository `repo` (the first path segment as sent: a token scoped to another one is
 * refused like a wrong token), or undefined once the request was answered (401, 429 or 503).
 */
export const authenticateResticRequest = async (
  ctx: AppContext,
  deps: Readonly<{ authenticate: AuthenticateRestic; logger: HttpLogger; limits: ResticLimits }>,
  repo: string,
): Promise<ResticCaller | undefined> => {
  const { limiter, failures, account } = deps.limits
  if (!admitted(ctx, deps.logger, failures, await limiter.peek(failures, byIp(ctx))())) return undefined
  const credentials = basicCredentials(ctx.get('Authorization'))
  if (credentials === undefined) return void (await refuse(ctx, deps.logger, deps.limits, undefined))
  const result = await deps.authenticate(credentials.user, credentials.password, repo, {
    requestId: ctx.state.requestId,
  })()
  if (E.isLeft(result) && result.left._tag === 'Unavailable')
    return void replyFailure(ctx, deps.logger, result.left)
  if (E.isLeft(result)) return void (await refuse(ctx, deps.logger, deps.limits, credentials.user))
  const charge = await limiter.consume(account, accountKey(result.right.accountId))()
  return admitted(ctx, deps.logger, account, charge) ? result.right : undefined
}

import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as T from 'fp-ts/Task'
import type { RateLimiter, RateLimitRule } from '../../../application/ports/rate-limiter'
import type { AuthenticateAlongside } from '../../../application/sessions'
import type { AppContext, AppMiddleware, HttpLogger } from '../http-types'
import { unauthenticatedError } from '../error-response'
import { sendApplicationError, sendError } from '../respond'
import { accountKey, admitted } from './rate-limit'

const bearerPattern = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i

const bearerToken = (ctx: AppContext): string | undefined => bearerPattern.exec(ctx.get('Authorization'))?.[1]

/**
 * `Authorization: Bearer <accessToken>` → `ctx.state.caller`, checked live by the use case (logout and
 * revocation take effect at once); anything else: 401 `unauthenticated` with a Bearer challenge. Then the
 * per-account rate limit of `rule`, answering as the two checks in a row would (401 before 429 before the
 * route), but charging the account while its session is being checked:
 * one cache round trip of waiting per request instead of two. The one difference: a token whose signature
 * and expiry are valid but whose session was just revoked also spends a point of its own account.
 */
export const authenticateAndLimitMiddleware =
  (
    authenticate: AuthenticateAlongside,
    limiter: RateLimiter,
    rule: RateLimitRule,
    logger: HttpLogger,
  ): AppMiddleware =>
  async (ctx, next) => {
    const token = bearerToken(ctx)
    if (token === undefined) return sendError(ctx, unauthenticatedError)
    const result = await authenticate(token, { requestId: ctx.state.requestId }, (accountId) =>
      // The limiter's answer is a value here, so that the session's outcome is judged first.
      pipe(limiter.consume(rule, accountKey(accountId)), T.map(E.right)),
    )()
    if (E.isLeft(result)) return sendApplicationError(ctx, logger, result.left)
    const [caller, charge] = result.right
    ctx.state.caller = caller
    if (admitted(ctx, logger, rule, charge)) await next()
  }

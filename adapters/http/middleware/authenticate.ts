import * as E from 'fp-ts/Either'
import type { Authenticate } from '../../../application/use-cases'
import type { AppMiddleware, HttpLogger } from '../http-types'
import { unauthenticatedError } from '../error-response'
import { sendApplicationError, sendError } from '../respond'

const bearerPattern = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i

/**
 * `Authorization: Bearer <accessToken>` → `ctx.state.caller`, checked live by the use case (logout and
 * revocation take effect at once). Anything else: 401 `unauthenticated` with a Bearer challenge.
 */
export const authenticateMiddleware =
  (authenticate: Authenticate, logger: HttpLogger): AppMiddleware =>
  async (ctx, next) => {
    const token = bearerPattern.exec(ctx.get('Authorization'))?.[1]
    if (token === undefined) return sendError(ctx, unauthenticatedError)
    const result = await authenticate(token, { requestId: ctx.state.requestId })()
    if (E.isLeft(result)) return sendApplicationError(ctx, logger, result.left)
    ctx.state.caller = result.right
    await next()
  }

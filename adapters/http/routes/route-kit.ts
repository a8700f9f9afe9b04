/**
 * What every route module receives, and the middleware stacks routes are built from. Route modules mirror the
 * application's feature folders (accounts.ts ↔ application/accounts, …); json-route.ts is their common shape.
 */
import Router from '@koa/router'
import * as E from 'fp-ts/Either'
import type * as t from 'io-ts'
import type { RequestContext } from '../../../application/context'
import type { RateLimiter } from '../../../application/ports/rate-limiter'
import type { UseCases } from '../../../application/zkeb'
import { decodeExact } from '../decode'
import { invalidInput } from '../error-response'
import type { AppContext, AppMiddleware, AppState, HttpLogger } from '../http-types'
import { authenticateAndLimitMiddleware } from '../middleware/authenticate'
import { jsonBodyMiddleware } from '../middleware/json-body'
import { rateLimitMiddleware, type RateLimitRules } from '../middleware/rate-limit'
import { sendError } from '../respond'

export type HttpLimits = Readonly<{
  /** Largest JSON body (api-v1: 64 KiB). */
  jsonBodyBytes: number
  /** Time to receive a JSON body, else 408 (default: json-body.ts). */
  jsonBodyTimeoutMs?: number
  /** Largest body of the one-shot upload route (api-v1: 5 GiB); refused with 413 before reading. */
  maxUploadBytes: number
  /** A resumable upload's lifetime (Upload-Expires); must match the use cases' settings. Default 24 h. */
  uploadExpirySeconds?: number
}>

export type RouteDeps = Readonly<{
  useCases: UseCases
  rateLimiter: RateLimiter
  rateLimits: RateLimitRules
  logger: HttpLogger
  limits: HttpLimits
}>

/** api-v1: a list's `limit` is 1–200, default 50. */
export const defaultPageLimit = 50

export type ApiRouter = Router<AppState>

export const newRouter = (): ApiRouter => new Router<AppState>()

/** Authenticated routes: a live Bearer session, then the per-account rate limit (both checked at once). */
export const authenticated = (deps: RouteDeps): ReadonlyArray<AppMiddleware> => [
  authenticateAndLimitMiddleware(
    deps.useCases.authenticateAlongside,
    deps.rateLimiter,
    deps.rateLimits.account,
    deps.logger,
  ),
]

/** Spends a point of one of the rules for the subject `keyOf` names. */
export const limited = (
  deps: RouteDeps,
  rule: keyof RateLimitRules,
  keyOf: (ctx: AppContext) => string | undefined,
): AppMiddleware => rateLimitMiddleware(deps.rateLimiter, deps.logger, deps.rateLimits[rule], keyOf)

export const requestContext = (ctx: AppContext): RequestContext => ({ requestId: ctx.state.requestId })

export const jsonBody = (deps: RouteDeps): AppMiddleware =>
  jsonBodyMiddleware(deps.limits.jsonBodyBytes, deps.limits.jsonBodyTimeoutMs)

/** Decodes `input` exactly; on failure answers 400 `invalid-input` with the paths and returns Left. */
export const decodeOrReply = <A, O>(
  ctx: AppContext,
  codec: t.Type<A, O, unknown>,
  input: unknown,
): E.Either<void, A> => {
  const result = decodeExact(codec, input)
  if (E.isRight(result)) return result
  sendError(ctx, invalidInput(result.left))
  return E.left(undefined)
}

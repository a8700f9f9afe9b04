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
import { invalidInput, tooManyStreams } from '../error-response'
import { type AppContext, type AppMiddleware, type AppState, callerOf, type HttpLogger } from '../http-types'
import { authenticateAndLimitMiddleware } from '../middleware/authenticate'
import { jsonBodyMiddleware } from '../middleware/json-body'
import { type StreamSlots, streamSlotRetryAfterSeconds } from '../middleware/stream-slots'
import { closeIfUnread } from '../middleware/unread-body'
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
  /** Streams (content uploads and downloads) one account may hold at once (default: stream-slots.ts). */
  accountStreamsMax?: number
}>

export type RouteDeps = Readonly<{
  useCases: UseCases
  rateLimiter: RateLimiter
  rateLimits: RateLimitRules
  logger: HttpLogger
  limits: HttpLimits
  /** The account's stream slots, shared by every content route and restic's. */
  streams: StreamSlots
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

/**
 * Content routes: one of the account's stream slots for as long as the response is open (HEAD streams
 * nothing); beyond the limit 429 `too-many-streams`, before any byte of a body is read.
 */
export const streamSlot =
  (deps: RouteDeps): AppMiddleware =>
  async (ctx, next) => {
    if (ctx.method === 'HEAD' || deps.streams.take(callerOf(ctx).accountId, ctx.res)) {
      await next()
      return
    }
    await closeIfUnread(ctx)
    sendError(ctx, tooManyStreams(deps.streams.max, streamSlotRetryAfterSeconds))
  }

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

/** Types shared by the HTTP adapter's middleware and routes. */
import type { Middleware, ParameterizedContext } from 'koa'
import type { Caller } from '../../application/context'
import type { RateLimitState } from '../../application/ports/rate-limiter'

/**
 * The logger the adapter needs: pino's `(fields, message)` shape, so a pino instance fits as is.
 * SECURITY: the adapter never passes bodies, headers, tokens or key material in `fields`.
 */
export type HttpLogger = Readonly<{
  info: (fields: Record<string, unknown>, message: string) => void
  warn: (fields: Record<string, unknown>, message: string) => void
  error: (fields: Record<string, unknown>, message: string) => void
  /** pino's level check; without it every level counts as enabled. */
  isLevelEnabled?: (level: string) => boolean
}>

export const silentLogger: HttpLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

/** Per-request state set by the middleware: the request id always, the caller once authenticated. */
export type AppState = {
  requestId: string
  caller?: Caller
  /** The parsed JSON body (JSON routes only), still untrusted until a codec decodes it. */
  jsonBody?: unknown
  /** The tightest rate-limit state met so far, sent as RateLimit-* headers. */
  rateLimit?: RateLimitState
  /** The route label of an answer served outside the router (GET /metrics), for logs and metrics. */
  route?: string
}

export type AppContext = ParameterizedContext<AppState>
export type AppMiddleware = Middleware<AppState>

/** The caller set by the authentication middleware; a route without it is a wiring bug (500). */
export const callerOf = (ctx: AppContext): Caller => {
  const caller = ctx.state.caller
  if (caller === undefined) throw new Error('route reached without authentication middleware')
  return caller
}

/** A path parameter as the router captured it (decoded, untrusted). */
export const pathParam = (ctx: AppContext, name: string): string | undefined =>
  (ctx.params as Readonly<Record<string, string | undefined>>)[name]

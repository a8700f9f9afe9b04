import { currentTraceId } from '../trace-context'
import type { AppContext, AppMiddleware, HttpLogger } from '../http-types'
import { noMetrics } from '../../../application/ports/metrics'
import { type BugReporter, type HttpObservability, silentObservability } from '../observability'
import { countBodyBytes } from './byte-counter'
import { internalError, methodNotAllowed, routeNotFound } from '../error-response'
import { sendError } from '../respond'

/**
 * What may be logged of a thrown error: its class, code and stack frames. SECURITY: not its message, which
 * can quote input (JSON.parse does), and never request bodies or headers.
 */
export const describeBug = (err: unknown): Record<string, unknown> => {
  if (!(err instanceof Error)) return { type: typeof err }
  const frames = (err.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))
  return { name: err.name, code: (err as { code?: unknown }).code, frames: frames.slice(0, 12).join('\n') }
}

const resetHeaders = (ctx: Parameters<AppMiddleware>[0]): void => {
  for (const name of Object.keys(ctx.response.headers)) ctx.remove(name)
}

/**
 * The router's empty answers in api-v1's shape: 404 `not-found`; 405 `method-not-allowed` with Allow, also
 * for a method the router does not know at all (it answers those 501, as if the server lacked a feature).
 */
const answerUnrouted = (ctx: AppContext): void => {
  if (ctx.body != null) return
  if (ctx.status === 404) return sendError(ctx, routeNotFound)
  if (ctx.status !== 405 && ctx.status !== 501) return
  if (ctx.response.get('Allow') !== '') return sendError(ctx, methodNotAllowed)
  ctx.remove('Allow')
  sendError(ctx, routeNotFound)
}

/** The errors a request stream fails with when its client goes away before the body's end. */
const abortCodes: ReadonlySet<unknown> = new Set(['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'])

const isClientAbort = (ctx: AppContext, err: unknown): boolean =>
  !ctx.req.complete && err instanceof Error && abortCodes.has((err as { code?: unknown }).code)

/**
 * A client that went away mid-request is no bug: logged at info, not reported. The status is nginx's 499
 * (client closed request), written to the access log and metrics only: nobody is left to answer.
 */
const noteClientAbort = (ctx: AppContext, logger: HttpLogger): void => {
  logger.info({ requestId: ctx.state.requestId, method: ctx.method, route: routeOf(ctx) }, 'client aborted')
  ctx.status = 499
  ctx.body = { error: { code: 'client-aborted' } }
}

/**
 * The one top-level handler: a thrown error is a bug, answered 500 `internal-error` exposing nothing, except
 * a client gone mid-request (noteClientAbort). Also turns the router's empty 404/405/501 into the api-v1 error
 * body (answerUnrouted).
 */
export const errorHandlerMiddleware =
  (logger: HttpLogger, reportBug?: BugReporter): AppMiddleware =>
  async (ctx, next) => {
    try {
      await next()
      answerUnrouted(ctx)
    } catch (err) {
      if (isClientAbort(ctx, err)) return noteClientAbort(ctx, logger)
      logger.error(
        { requestId: ctx.state.requestId, method: ctx.method, route: routeOf(ctx), err: describeBug(err) },
        'unhandled error',
      )
      reportBug?.(err, { requestId: ctx.state.requestId, route: routeOf(ctx) })
      if (ctx.headerSent || !ctx.writable) return
      resetHeaders(ctx)
      sendError(ctx, internalError)
    }
  }

/** The router's template for the matched route (never the raw path, which holds ids); `unmatched` otherwise. */
export const routeOf = (ctx: AppContext): string => {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute
  return matched === undefined ? (ctx.state.route ?? 'unmatched') : String(matched)
}

/** api-v1's error code of an error answer (`{"error":{"code"}}`), if the body is one. */
const errorCodeOf = (ctx: AppContext): string | undefined => {
  if (ctx.status < 400) return undefined
  const body = ctx.body as { error?: { code?: unknown } } | null | undefined
  const code = typeof body === 'object' && body !== null ? body.error?.code : undefined
  return typeof code === 'string' ? code : undefined
}

/** Runs `then` once the response is fully sent or cut off (a stream body outlives the middleware chain). */
const whenResponseDone = (ctx: AppContext, then: () => void): void => {
  if (ctx.res.writableFinished || ctx.res.destroyed) then()
  else ctx.res.once('close', then)
}

const loginRoute = 'POST /api/v1/sessions/finish'

/**
 * One line per request once its answer is fully sent, and the same figures to the metrics: request id,
 * trace id, route template, method, status, latency, body bytes in and out, the account as a keyed hash and
 * the error code. SECURITY: never headers, bodies, raw paths or query values; the account id only hashed.
 */
export const accessLogMiddleware =
  (logger: HttpLogger, observability: HttpObservability = silentObservability): AppMiddleware =>
  (ctx, next) => {
    // Nobody would read the figures (info lines off, no metrics exporter): no per-request bookkeeping.
    if (observability.metrics === noMetrics && logger.isLevelEnabled?.('info') === false) return next()
    const started = process.hrtime.bigint()
    // Synchronously, before the parser pushes body chunks (see byte-counter.ts).
    const bytes = countBodyBytes(ctx.req, ctx.res)
    const traceId = currentTraceId(ctx.get('traceparent') || undefined)
    const record = (): void => {
      const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9
      const route = routeOf(ctx)
      const errorCode = errorCodeOf(ctx)
      const accountId = ctx.state.caller?.accountId
      const { bytesIn, bytesOut } = bytes()
      const fields = { method: ctx.method, status: ctx.status, durationSeconds, bytesIn, bytesOut, route }
      observability.metrics.request({ ...fields, ...(errorCode === undefined ? {} : { errorCode }) })
      if (`${ctx.method} ${route}` === loginRoute)
        observability.metrics.login(ctx.status < 300 ? 'success' : 'failure')
      if (ctx.status === 429) observability.metrics.rateLimited(route)
      logger.info(
        {
          requestId: ctx.state.requestId,
          ...(traceId === undefined ? {} : { traceId }),
          route,
          method: ctx.method,
          status: ctx.status,
          durationMs: Math.round(durationSeconds * 1e6) / 1e3,
          bytesIn,
          bytesOut,
          ...(accountId === undefined || observability.accountHash === undefined
            ? {}
            : { account: observability.accountHash(accountId) }),
          ...(errorCode === undefined ? {} : { errorCode }),
        },
        'request',
      )
    }
    return next().finally(() => whenResponseDone(ctx, record))
  }

import type { AppMiddleware, HttpLogger } from '../http-types'
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
 * The one top-level handler: a thrown error is a bug, answered 500 `internal-error` exposing nothing.
 * Also turns the router's empty 404/405 into the api-v1 error body.
 */
export const errorHandlerMiddleware =
  (logger: HttpLogger): AppMiddleware =>
  async (ctx, next) => {
    try {
      await next()
      if (ctx.body == null && ctx.status === 404) sendError(ctx, routeNotFound)
      if (ctx.body == null && ctx.status === 405) sendError(ctx, methodNotAllowed)
    } catch (err) {
      logger.error(
        { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, err: describeBug(err) },
        'unhandled error',
      )
      if (ctx.headerSent || !ctx.writable) return
      resetHeaders(ctx)
      sendError(ctx, internalError)
    }
  }

/** One line per request, after it finished: never headers, bodies or query values. */
export const accessLogMiddleware =
  (logger: HttpLogger): AppMiddleware =>
  async (ctx, next) => {
    const started = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const durationMs = Number((process.hrtime.bigint() - started) / 1000n) / 1000
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          durationMs,
        },
        'request',
      )
    }
  }

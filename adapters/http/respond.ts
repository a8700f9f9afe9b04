/** Knows how to write a JSON success or error response, and how to run a use case's task into one. */
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import type { AppContext, HttpLogger } from './http-types'
import { type ApplicationError, type HttpError, toHttpError } from './error-response'

/** The error body of api-v1: `{"error":{"code","message","retryable","requestId","details?"}}`. */
export const errorBody = (e: HttpError, requestId: string) => ({
  error: {
    code: e.code,
    message: e.message,
    retryable: e.retryable,
    requestId,
    ...(e.details === undefined ? {} : { details: e.details }),
  },
})

export const sendError = (ctx: AppContext, e: HttpError): void => {
  ctx.status = e.status
  for (const [name, value] of Object.entries(e.headers ?? {})) ctx.set(name, value)
  ctx.body = errorBody(e, ctx.state.requestId)
}

/**
 * What may be logged of a failure's cause: its class, code and message, never its properties (a driver's
 * error `detail` can quote stored values).
 */
/** PostgreSQL's SQLSTATE codes: five digits or capitals (23505, 53100, 57P01). */
const sqlState = /^[0-9A-Z]{5}$/

/**
 * What may be logged of a dependency's failure. SECURITY: a database error's message and detail can quote the
 * statement's values, so for those only the SQLSTATE, table and constraint are kept; other errors (connection
 * refused, timeouts) keep their message, which names hosts and causes, never request data.
 */
export const describeCause = (cause: unknown): Record<string, unknown> => {
  if (!(cause instanceof Error)) return { type: typeof cause }
  const { code, table, constraint } = cause as { code?: unknown; table?: unknown; constraint?: unknown }
  return typeof code === 'string' && sqlState.test(code)
    ? { name: cause.name, code, table, constraint }
    : { name: cause.name, message: cause.message, code }
}

/** Logs a dependency's failure by class only (describeCause); other application errors are the caller's. */
export const logIfUnavailable = (logger: HttpLogger, requestId: string, e: { _tag: string }): void => {
  if (e._tag !== 'Unavailable') return
  const { dependency, cause } = e as Extract<ApplicationError, { _tag: 'Unavailable' }>
  logger.warn({ requestId, dependency, cause: describeCause(cause) }, 'dependency unavailable')
}

export const sendApplicationError = (ctx: AppContext, logger: HttpLogger, e: ApplicationError): void => {
  logIfUnavailable(logger, ctx.state.requestId, e)
  sendError(ctx, toHttpError(e))
}

export const sendJson = (ctx: AppContext, status: number, body: unknown): void => {
  ctx.status = status
  ctx.body = body
}

/** Runs a use case; a Left becomes its mapped error response, a Right goes to `onSuccess`. */
export const runTask = async <E extends ApplicationError, A>(
  ctx: AppContext,
  logger: HttpLogger,
  task: TE.TaskEither<E, A>,
  onSuccess: (a: A) => void | Promise<void>,
): Promise<void> => {
  const result = await task()
  if (E.isLeft(result)) return sendApplicationError(ctx, logger, result.left)
  await onSuccess(result.right)
}

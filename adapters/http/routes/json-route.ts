/**
 * Knows the shape of a JSON route: read the input (body, path or query) and decode it with the use case's
 * codec, run the use case, then send its result as a DTO with the route's status. A bad input is a 400
 * `invalid-input` naming paths only (decode.ts); a Left is its mapped error response (respond.ts).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type * as TE from 'fp-ts/TaskEither'
import type * as t from 'io-ts'
import type { Caller, RequestContext } from '../../../application/context'
import { decodeExact, rootPath } from '../decode'
import { type ApplicationError, type HttpError, invalidInput } from '../error-response'
import { type AppContext, type AppMiddleware, callerOf, type HttpLogger } from '../http-types'
import { type QueryParam, readQuery } from '../query'
import { runTask, sendError, sendJson } from '../respond'
import { requestContext } from './route-kit'

/** Reads and decodes a route's input from the request; Left is the answer to send instead. */
export type RouteInput<A> = (ctx: AppContext) => E.Either<HttpError, A>

const decoded = <A, O>(codec: t.Type<A, O, unknown>, input: unknown): E.Either<HttpError, A> =>
  pipe(decodeExact(codec, input), E.mapLeft(invalidInput))

/** The JSON body (read by the jsonBody middleware) decoded by `codec`. */
export const fromBody =
  <A, O>(codec: t.Type<A, O, unknown>): RouteInput<A> =>
  (ctx) =>
    decoded(codec, ctx.state.jsonBody)

/** The route's path parameters (`:backupId`, …) decoded by `codec`. */
export const fromPath =
  <A, O>(codec: t.Type<A, O, unknown>): RouteInput<A> =>
  (ctx) =>
    decoded(codec, { ...ctx.params })

/** The path parameters and the JSON body's fields together (a body that is not an object: `(root)`). */
export const fromPathAndBody =
  <A, O>(codec: t.Type<A, O, unknown>): RouteInput<A> =>
  (ctx) => {
    const body: unknown = ctx.state.jsonBody
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return E.left(invalidInput([rootPath]))
    return decoded(codec, { ...body, ...ctx.params })
  }

/** The query string's named parameters, converted from text with `defaults` filled in, decoded by `codec`. */
export const fromQuery =
  <A, O>(
    codec: t.Type<A, O, unknown>,
    params: Readonly<Record<string, QueryParam>>,
    defaults: Readonly<Record<string, unknown>>,
  ): RouteInput<A> =>
  (ctx) =>
    pipe(
      readQuery(ctx.query, params, defaults),
      E.mapLeft(invalidInput),
      E.flatMap((query) => decoded(codec, query)),
    )

/** No input: the use case acts on the caller alone. */
export const noInput: RouteInput<void> = () => E.right(undefined)

/**
 * The use case a route runs: for the authenticated caller (a route without authentication middleware is then
 * a 500, never a call without an account), or, marked by `publicly`, for the request alone.
 */
export type RouteUseCase<A, E, R> =
  | ((input: A, caller: Caller) => TE.TaskEither<E, R>)
  | Readonly<{ forRequest: (input: A, request: RequestContext) => TE.TaskEither<E, R> }>

/** A use case of the unauthenticated entry points (registration, login, refresh, recovery). */
export const publicly = <A, E, R>(
  forRequest: (input: A, request: RequestContext) => TE.TaskEither<E, R>,
): RouteUseCase<A, E, R> => ({ forRequest })

/** For answers without a body (204). */
export const noBody = (): undefined => undefined

/**
 * decode → run → send. `toDto` shapes the success body (undefined: none); `headers` go on a success only.
 * Bound to the logger that records a dependency's failure.
 */
export const jsonRoute =
  (logger: HttpLogger) =>
  <A, E extends ApplicationError, R>(
    input: RouteInput<A>,
    useCase: RouteUseCase<A, E, R>,
    toDto: (result: R) => unknown,
    status = 200,
    headers: Readonly<Record<string, string>> = {},
  ): AppMiddleware =>
  async (ctx) => {
    const read = input(ctx)
    if (E.isLeft(read)) return sendError(ctx, read.left)
    const task =
      typeof useCase === 'function'
        ? useCase(read.right, callerOf(ctx))
        : useCase.forRequest(read.right, requestContext(ctx))
    await runTask(ctx, logger, task, (result) => {
      for (const [name, value] of Object.entries(headers)) ctx.set(name, value)
      const body = toDto(result)
      if (body === undefined) ctx.status = status
      else sendJson(ctx, status, body)
    })
  }

/**
 * restic's REST backend protocol (v1 and v2 listings) under /restic/{repo}/, for the unmodified restic client:
 * `restic -r rest:https://USER:TOKEN@host/restic/REPO/`. Paths are matched here, not by the router, so
 * every shape restic sends (trailing slashes included) is decided in one place; names are checked by the
 * domain's codec, so nothing outside the repository can be addressed.
 * SECURITY: bodies are restic's own ciphertext; they stream through and are never logged or buffered whole.
 */
import * as E from 'fp-ts/Either'
import type { ResticCaller } from '../../../application/context'
import type { ResticUseCases } from '../../../application/restic'
import { configName, ResticFolderType, ResticObjectRef, ResticRepoName } from '../../../domain/restic'
import type { AppContext, AppMiddleware, HttpLogger } from '../http-types'
import { hasContentCoding } from '../middleware/content-coding'
import { type StreamSlots, streamSlotRetryAfterSeconds } from '../middleware/stream-slots'
import { authenticateResticRequest, type ResticLimits } from './restic-auth'
import { readObject } from './restic-download'
import {
  replyFailure,
  replyMethodNotAllowed,
  replyNotFound,
  replyOk,
  replyText,
  replyTooManyStreams,
  type ResticFailure,
} from './restic-replies'

export const resticPrefix = '/restic/'

const v2 = 'application/vnd.x.restic.rest.v2'
const v1 = 'application/vnd.x.restic.rest.v1'

type Deps = Readonly<{
  useCases: ResticUseCases
  logger: HttpLogger
  limits: ResticLimits
  streams: StreamSlots
}>

/** An answer sent before the body was read ends the connection, so the unread rest is not parsed as a request. */
const closeIfUnread = (ctx: AppContext): void => {
  if (!ctx.req.complete) ctx.set('Connection', 'close')
}

const run = async <A>(
  ctx: AppContext,
  deps: Deps,
  task: () => Promise<E.Either<ResticFailure, A>>,
  onSuccess: (a: A) => void | Promise<void>,
): Promise<void> => {
  const result = await task()
  if (E.isLeft(result)) return replyFailure(ctx, deps.logger, result.left)
  await onSuccess(result.right)
}

/** `POST <repo>/?create=true`: repositories exist implicitly, so creating is always (idempotently) fine. */
const repositoryRoot = (ctx: AppContext): void => {
  if (ctx.method !== 'POST') return replyMethodNotAllowed(ctx, 'POST')
  if (ctx.query['create'] !== 'true') return replyText(ctx, 400, 'Bad Request\n')
  replyOk(ctx)
}

const list = async (
  ctx: AppContext,
  deps: Deps,
  caller: ResticCaller,
  repo: ResticRepoName,
  type: string,
) => {
  if (!ResticFolderType.is(type)) return replyNotFound(ctx)
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return replyMethodNotAllowed(ctx, 'GET')
  const wantsV2 = ctx.get('Accept').includes(v2)
  await run(ctx, deps, deps.useCases.listResticObjects({ repo, type }, caller), (entries) => {
    ctx.status = 200
    ctx.type = wantsV2 ? v2 : v1 // set before the body: Koa then keeps it exactly (restic compares it whole)
    ctx.body = JSON.stringify(
      wantsV2 ? entries.map((e) => ({ name: e.name, size: e.sizeBytes })) : entries.map((e) => e.name),
    )
  })
}

const save = async (ctx: AppContext, deps: Deps, caller: ResticCaller, ref: ResticObjectRef) => {
  // The bytes are stored as they arrive, so a compressed body would be stored compressed.
  if (hasContentCoding(ctx)) {
    closeIfUnread(ctx)
    return replyText(ctx, 415, 'Unsupported Media Type\n')
  }
  const declared = ctx.request.length
  const input = declared === undefined ? { ref } : { ref, contentLength: declared }
  await run(ctx, deps, deps.useCases.saveResticObject(input, ctx.req, caller), () => replyOk(ctx))
  closeIfUnread(ctx)
}

/** GET and POST stream an object's bytes: each holds one of the account's stream slots while it runs. */
const object = async (ctx: AppContext, deps: Deps, caller: ResticCaller, ref: ResticObjectRef) => {
  const streams = ctx.method === 'GET' || ctx.method === 'POST'
  if (streams && !deps.streams.take(caller.accountId, ctx.res)) {
    closeIfUnread(ctx)
    return replyTooManyStreams(ctx, streamSlotRetryAfterSeconds)
  }
  switch (ctx.method) {
    case 'HEAD':
    case 'GET':
      return readObject(ctx, deps, caller, ref)
    case 'POST':
      return save(ctx, deps, caller, ref)
    case 'DELETE':
      return run(ctx, deps, deps.useCases.deleteResticObject(ref, caller), () => replyOk(ctx))
    default:
      return replyMethodNotAllowed(ctx, 'HEAD, GET, POST, DELETE')
  }
}

/** `parts` is the path after /restic/ split on "/": a trailing slash leaves an empty last part. */
const dispatch = async (ctx: AppContext, deps: Deps, caller: ResticCaller, parts: string[]) => {
  const [repo = '', first, second, ...more] = parts
  if (!ResticRepoName.is(repo) || more.length > 0) return replyNotFound(ctx)
  if (first === undefined || (first === '' && second === undefined)) return repositoryRoot(ctx)
  if (second === undefined)
    return first === configName
      ? object(ctx, deps, caller, { repo, type: 'config', name: configName })
      : replyNotFound(ctx)
  if (second === '') return list(ctx, deps, caller, repo, first)
  const ref = { repo, type: first, name: second }
  return first !== configName && ResticObjectRef.is(ref) ? object(ctx, deps, caller, ref) : replyNotFound(ctx)
}

/** Handles everything under /restic/; every other path goes on to the api-v1 router. */
export const resticMiddleware =
  (deps: Deps): AppMiddleware =>
  async (ctx, next) => {
    if (!ctx.path.startsWith(resticPrefix)) {
      await next()
      return
    }
    const parts = ctx.path.slice(resticPrefix.length).split('/')
    const caller = await authenticateResticRequest(
      ctx,
      { authenticate: deps.useCases.authenticateRestic, logger: deps.logger, limits: deps.limits },
      parts[0] ?? '',
    )
    if (caller === undefined) return closeIfUnread(ctx)
    await dispatch(ctx, deps, caller, parts)
  }

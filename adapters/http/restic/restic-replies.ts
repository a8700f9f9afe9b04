/**
 * Knows how restic's REST backend wants its answers: plain text bodies, and exactly 200 for every success
 * without content (restic refuses 201 and 204; Koa turns a null body into 204, so the body is '').
 * SECURITY: messages are fixed strings; nothing of the request is echoed.
 */
import { absurd } from 'fp-ts/function'
import type { Unavailable } from '../../../application/errors'
import type {
  AccountNotFound,
  ContentLengthMismatch,
  QuotaExceeded,
  RangeNotSatisfiable,
  Unauthenticated,
  UploadTooLarge,
} from '../../../domain/errors'
import type {
  ResticAppendOnly,
  ResticNameMismatch,
  ResticObjectExists,
  ResticObjectNotFound,
} from '../../../domain/restic'
import type { AppContext, HttpLogger } from '../http-types'
import { describeCause } from '../respond'

export type ResticFailure =
  | ResticObjectNotFound
  | ResticObjectExists
  | ResticAppendOnly
  | ResticNameMismatch
  | QuotaExceeded
  | UploadTooLarge
  | ContentLengthMismatch
  | RangeNotSatisfiable
  | AccountNotFound
  | Unauthenticated
  | Unavailable

export const replyText = (ctx: AppContext, status: number, text: string): void => {
  ctx.status = status
  ctx.type = 'text/plain'
  ctx.body = text
}

/** 200 with an empty body: the only success restic accepts for create, POST and DELETE. */
export const replyOk = (ctx: AppContext): void => {
  ctx.status = 200
  ctx.body = ''
}

export const replyUnauthorized = (ctx: AppContext): void => {
  ctx.set('WWW-Authenticate', 'Basic realm="restic"')
  replyText(ctx, 401, 'Unauthorized\n')
}

export const replyNotFound = (ctx: AppContext): void => replyText(ctx, 404, 'Not Found\n')

/** 429 with Retry-After (restic retries with backoff) and the RateLimit headers of the rule that refused. */
export const replyRateLimited = (ctx: AppContext, limit: number, retryAfterSeconds: number): void => {
  const seconds = String(Math.max(1, Math.ceil(retryAfterSeconds)))
  ctx.set('Retry-After', seconds)
  ctx.set('RateLimit-Limit', String(limit))
  ctx.set('RateLimit-Remaining', '0')
  ctx.set('RateLimit-Reset', seconds)
  replyText(ctx, 429, 'Too Many Requests\n')
}

/** 429 when the account holds all its stream slots (middleware/stream-slots.ts); one frees when a stream ends. */
export const replyTooManyStreams = (ctx: AppContext, retryAfterSeconds: number): void => {
  ctx.set('Retry-After', String(retryAfterSeconds))
  replyText(ctx, 429, 'Too Many Requests: too many streams at once\n')
}

export const replyMethodNotAllowed = (ctx: AppContext, allow: string): void => {
  ctx.set('Allow', allow)
  replyText(ctx, 405, 'Method Not Allowed\n')
}

/** Status codes as rest-server answers them (403 for overwrite and append-only, 507 for a full quota or disk). */
const statusOf = (e: ResticFailure): number => {
  switch (e._tag) {
    case 'ResticObjectNotFound':
      return 404
    case 'ResticObjectExists':
    case 'ResticAppendOnly':
      return 403
    case 'ResticNameMismatch':
    case 'ContentLengthMismatch':
      return 400
    case 'QuotaExceeded':
      return 507
    case 'UploadTooLarge':
      return 413
    case 'RangeNotSatisfiable':
      return 416
    case 'AccountNotFound':
    case 'Unauthenticated':
      return 401
    case 'Unavailable':
      return e.full === true ? 507 : 503
    default:
      return absurd(e)
  }
}

const texts: Readonly<Record<number, string>> = {
  400: 'Bad Request\n',
  403: 'Forbidden\n',
  404: 'Not Found\n',
  413: 'Payload Too Large\n',
  416: 'Range Not Satisfiable\n',
  503: 'Service Unavailable\n',
  507: 'Insufficient Storage\n',
}

export const replyFailure = (ctx: AppContext, logger: HttpLogger, e: ResticFailure): void => {
  if (e._tag === 'Unavailable') {
    if (e.full !== true) ctx.set('Retry-After', '5')
    logger.warn(
      { requestId: ctx.state.requestId, dependency: e.dependency, cause: describeCause(e.cause) },
      'dependency unavailable',
    )
  }
  if (e._tag === 'RangeNotSatisfiable') ctx.set('Content-Range', `bytes */${e.sizeBytes}`)
  const status = statusOf(e)
  if (status === 401) return replyUnauthorized(ctx)
  replyText(ctx, status, texts[status] ?? 'Error\n')
}

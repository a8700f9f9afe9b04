/**
 * The API decodes no content coding of a request body: an upload sent with `Content-Encoding: gzip` would be
 * stored (or hashed) as the compressed bytes. Any coding but identity is refused with 415
 * `unsupported-content-encoding` and `Accept-Encoding: identity` (RFC 9110 §15.5.16) before a route reads
 * anything; JSON bodies alike, which would otherwise fail as invalid JSON.
 */
import type { AppContext, AppMiddleware } from '../http-types'
import { unsupportedContentEncoding } from '../error-response'
import { sendError } from '../respond'
import { closeIfUnread } from './unread-body'

/** True when the request declares a body coding other than identity (`gzip`, `br`, `identity, gzip`). */
export const hasContentCoding = (ctx: AppContext): boolean =>
  ctx
    .get('Content-Encoding')
    .split(',')
    .some((coding) => !['', 'identity'].includes(coding.trim().toLowerCase()))

export const identityBodiesMiddleware = (): AppMiddleware => async (ctx, next) => {
  if (!hasContentCoding(ctx)) {
    await next()
    return
  }
  await closeIfUnread(ctx)
  sendError(ctx, unsupportedContentEncoding)
}

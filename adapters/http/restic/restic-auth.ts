/**
 * Knows how a restic client proves who it is: HTTP basic auth, the account's username as user and a restic
 * access token as password, checked live on every request.
 * SECURITY: the credentials are never logged; a missing, malformed or wrong one answers the same 401.
 */
import * as E from 'fp-ts/Either'
import type { ResticCaller } from '../../../application/context'
import type { AuthenticateRestic } from '../../../application/restic'
import type { AppContext, HttpLogger } from '../http-types'
import { replyFailure, replyUnauthorized } from './restic-replies'

const basicPattern = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i

/** `user:password` from an Authorization header, or undefined. */
export const basicCredentials = (header: string): { user: string; password: string } | undefined => {
  const encoded = basicPattern.exec(header)?.[1]
  if (encoded === undefined || encoded.length > 1024) return undefined
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 1) return undefined
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/**
 * The caller for the repository `repo` (the first path segment as sent: a token scoped to another one is
 * refused like a wrong token), or undefined once a 401 (or 503) has been answered.
 */
export const authenticateResticRequest = async (
  ctx: AppContext,
  authenticate: AuthenticateRestic,
  logger: HttpLogger,
  repo: string,
): Promise<ResticCaller | undefined> => {
  const credentials = basicCredentials(ctx.get('Authorization'))
  if (credentials === undefined) {
    replyUnauthorized(ctx)
    return undefined
  }
  const result = await authenticate(credentials.user, credentials.password, repo, {
    requestId: ctx.state.requestId,
  })()
  if (E.isRight(result)) return result.right
  replyFailure(ctx, logger, result.left)
  return undefined
}

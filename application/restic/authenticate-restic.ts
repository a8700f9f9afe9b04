import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type Unauthenticated, unauthenticated } from '../../domain/errors'
import { Username } from '../../domain/ids'
import { grantReaches } from '../../domain/restic'
import type { RequestContext, ResticCaller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { utf8 } from '../shared/steps'

/**
 * Turns basic-auth credentials (account username, token secret) into a ResticCaller for the repository the
 * request names (`repo`, the path segment as sent), checked live: a revoked token, a token whose device was
 * revoked, and a token scoped to another repository all stop there.
 * SECURITY: the secret is only hashed; an unknown user, a wrong secret and another repository's token fail
 * alike.
 */
export type AuthenticateRestic = (
  username: string,
  secret: string,
  repo: string,
  ctx: RequestContext,
) => TE.TaskEither<Unauthenticated | Unavailable, ResticCaller>
export type AuthenticateResticDeps = Pick<Ports, 'resticTokens' | 'hasher'>

export const authenticateRestic =
  (deps: AuthenticateResticDeps): AuthenticateRestic =>
  (username, secret, repo, ctx) => {
    const digest = deps.hasher.sha256Hex(utf8(secret))
    if (!Username.is(username) || secret.length === 0 || secret.length > 256) return TE.left(unauthenticated)
    return pipe(
      deps.resticTokens.findGrant(username, digest),
      TE.flatMap(TE.fromOption(() => unauthenticated)),
      TE.filterOrElseW(
        (grant) => grantReaches(grant, repo),
        () => unauthenticated,
      ),
      TE.map((grant): ResticCaller => ({ ...grant, requestId: ctx.requestId })),
    )
  }

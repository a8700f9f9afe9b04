import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type Unauthenticated, unauthenticated } from '../../domain/errors'
import type { Caller, RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'

/**
 * Turns a bearer access token into a Caller: a valid signature and expiry, and a session that is still live
 * (logout and device revocation take effect at once).
 */
export type Authenticate = (
  accessToken: string,
  ctx: RequestContext,
) => TE.TaskEither<Unauthenticated | Unavailable, Caller>
export type AuthenticateDeps = Pick<Ports, 'tokens' | 'sessions' | 'clock'>

export const authenticate =
  (deps: AuthenticateDeps): Authenticate =>
  (accessToken, ctx) =>
    pipe(
      deps.tokens.verify(accessToken),
      TE.flatMap((claims) =>
        pipe(
          deps.sessions.findLive(claims.sessionId, deps.clock.now()),
          TE.flatMap(TE.fromOption(() => unauthenticated)),
          TE.filterOrElseW(
            (session) => session.accountId === claims.accountId,
            () => unauthenticated,
          ),
        ),
      ),
      TE.map((session): Caller => ({
        requestId: ctx.requestId,
        accountId: session.accountId,
        sessionId: session.sessionId,
        deviceId: session.deviceId,
      })),
    )

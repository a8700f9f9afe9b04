import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type Unauthenticated, unauthenticated } from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import type { Caller, RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/**
 * Turns a bearer access token into a Caller: a valid signature and expiry, and a session that is still live
 * (logout and device revocation take effect at once).
 */
export type Authenticate = (
  accessToken: string,
  ctx: RequestContext,
) => TE.TaskEither<Unauthenticated | Unavailable, Caller>

/**
 * Authenticate, running `alongside` for the account the verified token names while the session is being
 * checked (e.g. charging the account's rate limit: one cache round trip of waiting instead of two). The
 * session's outcome comes first: a dead session is Unauthenticated whatever `alongside` answered, and
 * `alongside`'s own failure counts only for a live one. `alongside` runs only after the token's signature and
 * expiry were verified, so nobody can make it run for an account they never held a token of.
 */
export type AuthenticateAlongside = <E, A>(
  accessToken: string,
  ctx: RequestContext,
  alongside: (accountId: AccountId) => TE.TaskEither<E, A>,
) => TE.TaskEither<Unauthenticated | Unavailable | E, readonly [Caller, A]>

export type AuthenticateDeps = Pick<Ports, 'tokens' | 'sessions' | 'clock'>

export const authenticateAlongside =
  (deps: AuthenticateDeps): AuthenticateAlongside =>
  <E, A>(
    accessToken: string,
    ctx: RequestContext,
    alongside: (accountId: AccountId) => TE.TaskEither<E, A>,
  ) =>
    pipe(
      deps.tokens.verify(accessToken),
      TE.flatMap((claims) => {
        const session = pipe(
          deps.sessions.findLive(claims.sessionId, deps.clock.now()),
          TE.flatMap(TE.fromOption(() => unauthenticated)),
          TE.filterOrElseW(
            (found) => found.accountId === claims.accountId,
            () => unauthenticated,
          ),
          TE.map((found): Caller => ({
            requestId: ctx.requestId,
            accountId: found.accountId,
            sessionId: found.sessionId,
            deviceId: found.deviceId,
            loggedInAt: found.createdAt,
          })),
        )
        // ApplyPar starts both at once and reports the session's Left before alongside's.
        return pipe(
          session,
          TE.map((caller) => (a: A) => [caller, a] as const),
          TE.apW(alongside(claims.accountId)),
        )
      }),
    )

export const authenticate =
  (deps: AuthenticateDeps): Authenticate =>
  (accessToken, ctx) =>
    pipe(
      authenticateAlongside(deps)(accessToken, ctx, () => TE.right(undefined)),
      TE.map(([caller]) => caller),
    )

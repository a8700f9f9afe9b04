import type * as TE from 'fp-ts/TaskEither'
import type { Unauthenticated } from '../../domain/errors'
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

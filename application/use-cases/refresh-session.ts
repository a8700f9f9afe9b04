import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import type { InvalidRefreshToken, RefreshTokenReused } from '../../domain/errors'
import { BearerSecret } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import type { SessionTokens } from './finish-login'

export const RefreshSessionInput = t.strict({ refreshToken: BearerSecret })
export type RefreshSessionInput = t.TypeOf<typeof RefreshSessionInput>
export type RefreshSessionError = InvalidRefreshToken | RefreshTokenReused | Unavailable
/** Rotates the refresh token; a reused one revokes the whole session family. */
export type RefreshSession = (
  input: RefreshSessionInput,
  ctx: RequestContext,
) => TE.TaskEither<RefreshSessionError, SessionTokens>
export type RefreshSessionDeps = Pick<Ports, 'sessions' | 'tokens' | 'hasher' | 'clock' | 'ids'>

import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { InvalidRefreshToken, RefreshTokenReused } from '../../domain/errors'
import { BearerSecret } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { SessionTokens } from './finish-login'
import { utf8 } from '../shared/steps'

export const RefreshSessionInput = t.strict({ refreshToken: BearerSecret })
export type RefreshSessionInput = t.TypeOf<typeof RefreshSessionInput>
export type RefreshSessionError = InvalidRefreshToken | RefreshTokenReused | Unavailable
/** Rotates the refresh token; a reused one revokes the whole session family. */
export type RefreshSession = (
  input: RefreshSessionInput,
  ctx: RequestContext,
) => TE.TaskEither<RefreshSessionError, SessionTokens>
export type RefreshSessionDeps = Pick<Ports, 'sessions' | 'tokens' | 'hasher' | 'clock' | 'ids'>

export const refreshSession =
  (deps: RefreshSessionDeps): RefreshSession =>
  (input) =>
    pipe(
      TE.fromIO(deps.ids.secret),
      TE.flatMap((refreshToken) =>
        pipe(
          deps.sessions.rotate(
            deps.hasher.sha256Hex(utf8(input.refreshToken)),
            deps.hasher.sha256Hex(utf8(refreshToken)),
            deps.clock.now(),
          ),
          TE.flatMap(({ accountId, sessionId }) => deps.tokens.issue({ accountId, sessionId })),
          TE.map(({ accessToken, expiresIn }) => ({ accessToken, refreshToken, expiresIn })),
        ),
      ),
    )

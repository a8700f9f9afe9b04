import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import type { DeviceRevoked, InvalidCredentials } from '../../domain/errors'
import { type AccountId, DeviceId } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import { OpaqueMessage } from './codecs'

export const FinishLoginInput = t.exact(
  t.intersection([
    t.type({ loginId: t.string, finishLoginRequest: OpaqueMessage }),
    t.partial({ deviceId: DeviceId }),
  ]),
)
export type FinishLoginInput = t.TypeOf<typeof FinishLoginInput>
export type SessionTokens = Readonly<{ accessToken: string; refreshToken: string; expiresIn: number }>
export type FinishLoginOutput = SessionTokens & Readonly<{ accountId: AccountId }>
export type FinishLoginError = InvalidCredentials | DeviceRevoked | Unavailable
/**
 * OPAQUE login step 2: consumes the loginId, opens a session bound to `deviceId` when given (it must be an
 * unrevoked device of the account; an unknown one is InvalidCredentials). Records `login` or `login-failed`.
 */
export type FinishLogin = (
  input: FinishLoginInput,
  ctx: RequestContext,
) => TE.TaskEither<FinishLoginError, FinishLoginOutput>
export type FinishLoginDeps = Pick<
  Ports,
  | 'accounts'
  | 'devices'
  | 'loginStates'
  | 'opaque'
  | 'sessions'
  | 'tokens'
  | 'audit'
  | 'hasher'
  | 'clock'
  | 'ids'
  | 'settings'
>

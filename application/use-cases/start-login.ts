import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import type { InvalidProtocolMessage } from '../../domain/errors'
import { Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import { OpaqueMessage } from './codecs'

export const StartLoginInput = t.strict({ username: Username, startLoginRequest: OpaqueMessage })
export type StartLoginInput = t.TypeOf<typeof StartLoginInput>
export type StartLoginOutput = Readonly<{ loginId: string; loginResponse: string }>
export type StartLoginError = InvalidProtocolMessage | Unavailable
/**
 * OPAQUE login step 1. An unknown username gets a fake response of the same shape and a loginId that can
 * only fail, so usernames cannot be enumerated. The login state lives `loginStateTtlSeconds`, single use.
 */
export type StartLogin = (
  input: StartLoginInput,
  ctx: RequestContext,
) => TE.TaskEither<StartLoginError, StartLoginOutput>
export type StartLoginDeps = Pick<Ports, 'accounts' | 'opaque' | 'loginStates' | 'ids' | 'settings'>

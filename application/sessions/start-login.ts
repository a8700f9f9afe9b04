import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type Account, isDisabled } from '../../domain/account'
import type { InvalidProtocolMessage } from '../../domain/errors'
import { Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { OpaqueMessage } from '../shared/codecs'

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

export const startLogin =
  (deps: StartLoginDeps): StartLogin =>
  (input) =>
    pipe(
      deps.accounts.findByUsername(input.username),
      // A disabled account answers exactly as an unknown one: the login can only fail.
      TE.map(O.filter((account) => !isDisabled(account))),
      TE.map(O.toNullable),
      TE.flatMap((account: Account | null) =>
        pipe(
          deps.opaque.startLogin(input.username, account?.opaqueRecord ?? null, input.startLoginRequest),
          TE.map((started) => ({ ...started, accountId: account?.accountId ?? null })),
        ),
      ),
      TE.flatMap(({ loginResponse, serverLoginState, accountId }) => {
        const loginId = deps.ids.secret()
        return pipe(
          deps.loginStates.put(
            loginId,
            { kind: 'login', accountId, serverLoginState },
            deps.settings.loginStateTtlSeconds,
          ),
          TE.as({ loginId, loginResponse }),
        )
      }),
    )

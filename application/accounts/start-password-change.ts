import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { AccountNotFound, FreshLoginRequired, InvalidProtocolMessage } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { OpaqueMessage } from '../shared/codecs'
import { ensureFreshLogin, loadAccount } from '../shared/steps'

export const StartPasswordChangeInput = t.strict({ registrationRequest: OpaqueMessage })
export type StartPasswordChangeInput = t.TypeOf<typeof StartPasswordChangeInput>
/** OPAQUE re-registration step 1 for the caller's own username; needs a fresh login, as step 2 does. */
export type StartPasswordChange = (
  input: StartPasswordChangeInput,
  caller: Caller,
) => TE.TaskEither<
  AccountNotFound | FreshLoginRequired | InvalidProtocolMessage | Unavailable,
  { readonly registrationResponse: string }
>
export type StartPasswordChangeDeps = Pick<Ports, 'accounts' | 'opaque' | 'clock' | 'settings'>

export const startPasswordChange =
  (deps: StartPasswordChangeDeps): StartPasswordChange =>
  (input, caller) =>
    pipe(
      ensureFreshLogin(deps)(caller),
      TE.flatMap(() => loadAccount(deps)(caller.accountId)),
      TE.flatMap((account) => deps.opaque.registrationResponse(account.username, input.registrationRequest)),
      TE.map((registrationResponse) => ({ registrationResponse })),
    )

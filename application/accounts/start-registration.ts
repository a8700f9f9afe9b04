import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { InvalidProtocolMessage } from '../../domain/errors'
import type { Unavailable } from '../errors'
import { Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Ports } from '../ports/index'
import { OpaqueMessage } from '../shared/codecs'

export const StartRegistrationInput = t.strict({ username: Username, registrationRequest: OpaqueMessage })
export type StartRegistrationInput = t.TypeOf<typeof StartRegistrationInput>
export type StartRegistrationOutput = Readonly<{ registrationResponse: string }>
export type StartRegistrationError = InvalidProtocolMessage | Unavailable
/** Stateless OPAQUE step: it neither reveals nor reserves the username. */
export type StartRegistration = (
  input: StartRegistrationInput,
  ctx: RequestContext,
) => TE.TaskEither<StartRegistrationError, StartRegistrationOutput>
export type StartRegistrationDeps = Pick<Ports, 'opaque'>

export const startRegistration =
  (deps: StartRegistrationDeps): StartRegistration =>
  (input) =>
    pipe(
      deps.opaque.registrationResponse(input.username, input.registrationRequest),
      TE.map((registrationResponse) => ({ registrationResponse })),
    )

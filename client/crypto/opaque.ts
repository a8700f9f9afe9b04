/**
 * Knows the client half of OPAQUE (RFC 9807) through @serenity-kit/opaque: the password never leaves this
 * module, and what comes out of a successful registration or login is the export key that unwraps the UMK.
 * SECURITY: the `state` strings are secret (they derive from the password); keep them in memory between the
 * start and finish of one exchange and drop them after. Messages are base64url strings, sent as they are.
 */
import * as E from 'fp-ts/Either'
import * as opaque from '@serenity-kit/opaque'
import { decodeBase64Url } from '../../domain/base64url'
import { loginFailed, LoginFailed, opaqueProtocolError, OpaqueProtocolError } from './errors'

/** Argon2id parameters of the password stretching; registration and every login must use the same ones. */
export type KeyStretching = NonNullable<opaque.client.FinishLoginParams['keyStretching']>

/**
 * Pinned rather than left to the library default, so a library upgrade cannot silently lock users out:
 * Argon2id with 64 MiB, 3 iterations, parallelism 4.
 */
export const DEFAULT_KEY_STRETCHING: KeyStretching = 'memory-constrained'

export type RegistrationStart = Readonly<{ state: string; registrationRequest: string }>
export type RegistrationFinish = Readonly<{ registrationRecord: string; exportKey: Uint8Array }>
export type LoginStart = Readonly<{ state: string; startLoginRequest: string }>
export type LoginFinish = Readonly<{ finishLoginRequest: string; exportKey: Uint8Array }>

/** First registration message, for `POST /api/v1/accounts/registration/start` (and password change/recovery). */
export const startRegistration = async (password: string): Promise<RegistrationStart> => {
  await opaque.ready
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
  return { state: clientRegistrationState, registrationRequest }
}

/** Completes registration: the record for the server and the export key (client only) for the KEK. */
export const finishRegistration = async (input: {
  readonly state: string
  readonly password: string
  readonly registrationResponse: string
  readonly keyStretching?: KeyStretching
}): Promise<E.Either<OpaqueProtocolError, RegistrationFinish>> => {
  await opaque.ready
  return E.tryCatch(
    () => {
      const { registrationRecord, exportKey } = opaque.client.finishRegistration({
        clientRegistrationState: input.state,
        password: input.password,
        registrationResponse: input.registrationResponse,
        keyStretching: input.keyStretching ?? DEFAULT_KEY_STRETCHING,
      })
      return { registrationRecord, exportKey: decodeBase64Url(exportKey) }
    },
    () => opaqueProtocolError('registration'),
  )
}

/** First login message, for `POST /api/v1/sessions/start`. */
export const startLogin = async (password: string): Promise<LoginStart> => {
  await opaque.ready
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password })
  return { state: clientLoginState, startLoginRequest }
}

/**
 * Completes login: the message for `POST /api/v1/sessions/finish` and the export key. Left(LoginFailed) for a
 * wrong password (or an unknown user: the server answers those with a fake response that fails here too).
 */
export const finishLogin = async (input: {
  readonly state: string
  readonly password: string
  readonly loginResponse: string
  readonly keyStretching?: KeyStretching
}): Promise<E.Either<LoginFailed | OpaqueProtocolError, LoginFinish>> => {
  await opaque.ready
  const result = E.tryCatch(
    () =>
      opaque.client.finishLogin({
        clientLoginState: input.state,
        password: input.password,
        loginResponse: input.loginResponse,
        keyStretching: input.keyStretching ?? DEFAULT_KEY_STRETCHING,
      }),
    () => opaqueProtocolError('login'),
  )
  if (E.isLeft(result)) return result
  if (result.right === undefined) return E.left(loginFailed)
  return E.right({
    finishLoginRequest: result.right.finishLoginRequest,
    exportKey: decodeBase64Url(result.right.exportKey),
  })
}

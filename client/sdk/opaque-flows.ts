/**
 * Knows the two OPAQUE exchanges every flow builds on: a (re-)registration that yields a record and an export
 * key, and a login that yields a session and an export key.
 * SECURITY: the password and the OPAQUE client states stay inside these functions.
 */
import * as E from 'fp-ts/Either'
import { finishLogin, finishRegistration, startLogin, startRegistration, type KeyStretching } from '../crypto'
import { badResponse, fail, refusedAs, wrongPassword, ZkebError } from './errors'
import type { HttpClient } from './http-client'
import type { SecondFactorProof } from './wire'

export type Registered = Readonly<{ registrationRecord: string; exportKey: Uint8Array }>

/** Runs a registration whose first message goes through `send` (sign-up, password change, recovery). */
export const registerPassword = async (
  password: string,
  send: (registrationRequest: string) => Promise<{ registrationResponse: string }>,
  keyStretching: KeyStretching | undefined,
): Promise<Registered> => {
  const started = await startRegistration(password)
  const { registrationResponse } = await send(started.registrationRequest)
  const finished = await finishRegistration({
    state: started.state,
    password,
    registrationResponse,
    ...(keyStretching === undefined ? {} : { keyStretching }),
  })
  return E.isRight(finished) ? finished.right : fail(badResponse(200, 'the OPAQUE registration response'))
}

export type LoggedIn = Readonly<{ accountId: string; exportKey: Uint8Array }>

/**
 * OPAQUE login; stores the session tokens in the client's transport. A wrong password is WrongPassword
 * whether the client notices (the usual case) or the server refuses the finish (401 invalid-credentials).
 */
export const logInWithPassword = async (
  http: HttpClient,
  username: string,
  password: string,
  options: Readonly<{ deviceId?: string; keyStretching?: KeyStretching; secondFactor?: SecondFactorProof }>,
): Promise<LoggedIn> => {
  const started = await startLogin(password)
  const { loginId, loginResponse } = await http.startLogin(username, started.startLoginRequest)
  const finished = await finishLogin({
    state: started.state,
    password,
    loginResponse,
    ...(options.keyStretching === undefined ? {} : { keyStretching: options.keyStretching }),
  })
  if (E.isLeft(finished))
    return fail(
      finished.left._tag === 'LoginFailed' ? wrongPassword : badResponse(200, 'the OPAQUE login response'),
    )
  const opened = await refusedAs(
    http.finishLogin({
      loginId,
      finishLoginRequest: finished.right.finishLoginRequest,
      ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
      ...(options.secondFactor === undefined ? {} : { secondFactor: options.secondFactor }),
    }),
    'invalid-credentials',
    wrongPassword,
  )
  const { accessToken, refreshToken, expiresIn, accountId } = opened
  http.transport.setTokens({ accessToken, refreshToken, expiresIn })
  return { accountId, exportKey: finished.right.exportKey }
}

/** The password was right and the account wants a second factor (401 second-factor-required). */
export const isSecondFactorRequired = (e: unknown): boolean => {
  const error: unknown = e instanceof ZkebError ? e.error : e
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { _tag?: unknown })._tag === 'ApiError' &&
    (error as { code?: unknown }).code === 'second-factor-required'
  )
}

/**
 * logInWithPassword, and when the server wants a second factor, a whole new login with the one `secondFactor`
 * gives (the refused finish spent its loginId). Without `secondFactor` that answer is the ApiError itself.
 */
export const logInWithSecondFactor = (
  http: HttpClient,
  username: string,
  password: string,
  options: Readonly<{ deviceId?: string; keyStretching?: KeyStretching }>,
  secondFactor: (() => Promise<SecondFactorProof>) | undefined,
): Promise<LoggedIn> =>
  logInWithPassword(http, username, password, options).catch(async (e: unknown) => {
    if (secondFactor === undefined || !isSecondFactorRequired(e)) throw e
    return logInWithPassword(http, username, password, { ...options, secondFactor: await secondFactor() })
  })

/**
 * Knows login: OPAQUE with the password, then the UMK unwrapped from the server's key bundle with the export
 * key. What comes out is a Session (keys in memory only).
 */
import * as E from 'fp-ts/Either'
import { deriveBackupKeys, unwrapUmkWithPassword, type Umk } from '../crypto'
import { fromB64 } from './encoding'
import { attempt, fail, keysUnreadable, type SdkError } from './errors'
import type { HttpClient } from './http-client'
import { logInWithSecondFactor } from './opaque-flows'
import { httpClientFor, type ClientOptions, type Session } from './session'
import type { Account, SecondFactorProof, Tokens } from './wire'

export type LoginInput = Readonly<{
  username: string
  password: string
  /** Binds the session to this device (uploads, audit); omit for a device not registered yet. */
  deviceId?: string
  /**
   * Asked for the second factor when the server wants one (401 second-factor-required: the password was right),
   * then the login runs again with it. Without it that answer is the ApiError itself.
   */
  secondFactor?: () => Promise<SecondFactorProof>
}>

export { isSecondFactorRequired } from './opaque-flows'

/** The UMK of `account` under this export key; KeysUnreadable('umk') if it does not open. */
export const unwrapAccountUmk = async (account: Account, exportKey: Uint8Array): Promise<Umk> => {
  const umk = await unwrapUmkWithPassword(
    fromB64(account.keyBundle.passwordWrappedUmk, 'passwordWrappedUmk'),
    exportKey,
  )
  return E.isRight(umk) ? umk.right : fail(keysUnreadable('umk'))
}

/** Builds the session of an authenticated client whose UMK is known. */
export const sessionFrom = async (
  http: HttpClient,
  options: ClientOptions,
  account: Account,
  exportKey: Uint8Array,
  umk: Umk,
): Promise<Session> => ({
  http,
  options,
  accountId: account.accountId,
  username: account.username,
  exportKey,
  umk,
  keys: await deriveBackupKeys(umk),
  keyBundle: account.keyBundle,
  keyBundleVersion: account.keyBundleVersion,
  device: undefined,
})

/**
 * Logs in and unlocks the account. WrongPassword for a wrong username or password; KeysUnreadable('umk') when
 * the password is right but the key bundle does not open with it (a bundle written by a broken client).
 */
export const login = (options: ClientOptions, input: LoginInput): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const http = httpClientFor(options)
    const { exportKey } = await logInWithSecondFactor(
      http,
      input.username,
      input.password,
      {
        ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
        ...(options.keyStretching === undefined ? {} : { keyStretching: options.keyStretching }),
      },
      input.secondFactor,
    )
    const account = await http.getAccount()
    return sessionFrom(http, options, account, exportKey, await unwrapAccountUmk(account, exportKey))
  })

/** Ends the session on the server: its access and refresh tokens stop working at once. */
export const logout = (session: Session): Promise<E.Either<SdkError, void>> =>
  attempt(async () => {
    await session.http.logout()
    session.http.transport.setTokens(undefined)
  })

/** The server wants a recent login for this call (password change, erasure, device revocation, restic tokens). */
export const isFreshLoginRequired = (e: SdkError): boolean =>
  e._tag === 'ApiError' && e.code === 'fresh-login-required'

/**
 * Proves the password to the server again (one OPAQUE login as the same user and device), as the sensitive
 * calls want when `session` logged in more than a few minutes ago. The new session replaces `session`, which is
 * ended (use only the one returned from now on). WrongPassword as `login`; `session` then stays as it was.
 */
export const reauthenticate = (
  session: Session,
  password: string,
  secondFactor?: LoginInput['secondFactor'],
): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const deviceId = session.device?.deviceId
    const input = {
      username: session.username,
      password,
      ...(deviceId === undefined ? {} : { deviceId }),
      ...(secondFactor === undefined ? {} : { secondFactor }),
    }
    const fresh = await login(session.options, input)
    if (E.isLeft(fresh)) return fail(fresh.left)
    if (fresh.right.accountId !== session.accountId) return fail(keysUnreadable('account'))
    await logout(session)
    return { ...fresh.right, device: session.device }
  })

export type ResumeInput = Readonly<{
  /** Tokens kept from an earlier login (or refresh) of this client. */
  tokens: Tokens
  /** True when the access token is known to be expired: it is refreshed before the first call. */
  accessTokenExpired: boolean
  /** The UMK and export key kept with the tokens (the client keeps them wrapped; see client/cli/state.ts). */
  umk: Umk
  exportKey: Uint8Array
}>

/**
 * Resumes a kept session without OPAQUE: the tokens go into a new client (refreshed first when expired, and on
 * any 401), and the account is read back. An ApiError 401 means the session is over (revoked, refresh token
 * reused or expired): log in again. The caller compares keyBundleVersion with the one its UMK came from, since
 * a rotation or password change elsewhere replaces the UMK this client kept.
 */
export const resumeSession = (
  options: ClientOptions,
  input: ResumeInput,
): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const http = httpClientFor(options)
    http.transport.setTokens(input.tokens)
    if (input.accessTokenExpired) await http.transport.refresh()
    const account = await http.getAccount()
    return sessionFrom(http, options, account, input.exportKey, input.umk)
  })

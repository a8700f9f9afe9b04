/**
 * Knows login: OPAQUE with the password, then the UMK unwrapped from the server's key bundle with the export
 * key. What comes out is a Session (keys in memory only).
 */
import * as E from 'fp-ts/Either'
import { deriveBackupKeys, unwrapUmkWithPassword, type Umk } from '../crypto'
import { fromB64 } from './encoding'
import { attempt, fail, keysUnreadable, type SdkError } from './errors'
import type { HttpClient } from './http-client'
import { logInWithPassword } from './opaque-flows'
import { httpClientFor, type ClientOptions, type Session } from './session'
import type { Account } from './wire'

export type LoginInput = Readonly<{
  username: string
  password: string
  /** Binds the session to this device (uploads, audit); omit for a device not registered yet. */
  deviceId?: string
}>

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
    const { exportKey } = await logInWithPassword(http, input.username, input.password, {
      ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
      ...(options.keyStretching === undefined ? {} : { keyStretching: options.keyStretching }),
    })
    const account = await http.getAccount()
    return sessionFrom(http, options, account, exportKey, await unwrapAccountUmk(account, exportKey))
  })

/** Ends the session on the server: its access and refresh tokens stop working at once. */
export const logout = (session: Session): Promise<E.Either<SdkError, void>> =>
  attempt(async () => {
    await session.http.logout()
    session.http.transport.setTokens(undefined)
  })

/**
 * Knows sign-up: a fresh UMK and recovery key made on the client, the UMK wrapped twice (under the password's
 * OPAQUE export key and under the recovery key), and the recovery verifier the server keeps.
 */
import type * as E from 'fp-ts/Either'
import {
  formatRecoveryKey,
  generateRecoveryKey,
  generateUmk,
  recoveryVerifier,
  wrapUmkWithPassword,
  wrapUmkWithRecoveryKey,
} from '../crypto'
import { b64 } from './encoding'
import { attempt, type SdkError } from './errors'
import { registerPassword } from './opaque-flows'
import { httpClientFor, type ClientOptions } from './session'

export type Registration = Readonly<{
  accountId: string
  /**
   * The printable recovery key (`ABCD-EFGH-…`). SECURITY: show it to the user once; it is never stored or
   * sent, and it is the only way back in without the password.
   */
  recoveryKey: string
}>

/** Creates an account; 409 username-taken arrives as ApiError. */
export const register = (
  options: ClientOptions,
  credentials: Readonly<{ username: string; password: string }>,
): Promise<E.Either<SdkError, Registration>> =>
  attempt(async () => {
    const http = httpClientFor(options)
    const { username, password } = credentials
    const { registrationRecord, exportKey } = await registerPassword(
      password,
      (request) => http.startRegistration(username, request),
      options.keyStretching,
    )
    const umk = generateUmk()
    const recoveryKey = generateRecoveryKey()
    const keyBundle = {
      passwordWrappedUmk: b64(await wrapUmkWithPassword(umk, exportKey)),
      recoveryWrappedUmk: b64(await wrapUmkWithRecoveryKey(umk, recoveryKey)),
    }
    const { accountId } = await http.finishRegistration({
      username,
      registrationRecord,
      keyBundle,
      recoveryVerifier: b64(await recoveryVerifier(recoveryKey)),
    })
    return { accountId, recoveryKey: await formatRecoveryKey(recoveryKey) }
  })

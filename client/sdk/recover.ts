/**
 * Knows account recovery with the recovery key, for a user who lost the password, as one atomic step:
 *   1. prove the recovery key (recoveryProof) → a single-use recovery token and the recovery-wrapped UMK;
 *   2. open the UMK with the recovery key (BadRecoveryKey('mismatch') before anything changes otherwise);
 *   3. a fresh OPAQUE registration with the new password (registration/start is stateless);
 *   4. finish with the token, the new record and the UMK wrapped under the new export key.
 * The server swaps record and passwordWrappedUmk together, so the account is never left with a password that
 * does not open its UMK. Backups and the recovery key itself are untouched. Then the client logs in with the
 * new password (finishing ended every session) to hand back a session.
 */
import type * as E from 'fp-ts/Either'
import { recoveryProof, wrapUmkWithPassword, type RecoveryKey, type Umk } from '../crypto'
import { b64 } from './encoding'
import { attempt, badRecoveryKey, refusedAs, type SdkError } from './errors'
import type { HttpClient } from './http-client'
import { sessionFrom } from './login'
import { logInWithSecondFactor, registerPassword } from './opaque-flows'
import { readRecoveryKey, umkFromRecoveryKey } from './recovery-key'
import { httpClientFor, type ClientOptions, type Session } from './session'
import type { Account, SecondFactorProof } from './wire'

export type RecoverInput = Readonly<{
  username: string
  recoveryKey: string
  newPassword: string
  /** Asked when the account has a second factor: the recovery resets the password, not the factor. */
  secondFactor?: () => Promise<SecondFactorProof>
}>

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/**
 * The account and its UMK once logged in with the new password. A key rotation by a still-open session
 * between start and finish replaces the UMK (finish keeps the new recovery wrap but stores our password wrap
 * of the old UMK); it is noticed here and the current UMK re-wrapped for the new password.
 */
const settled = async (
  http: HttpClient,
  key: RecoveryKey,
  umk: Umk,
  exportKey: Uint8Array,
): Promise<Readonly<{ account: Account; umk: Umk }>> => {
  const account = await http.getAccount()
  const current = await umkFromRecoveryKey(account.keyBundle, key)
  if (equalBytes(current, umk)) return { account, umk }
  const keyBundle = {
    ...account.keyBundle,
    passwordWrappedUmk: b64(await wrapUmkWithPassword(current, exportKey)),
  }
  const { keyBundleVersion } = await http.updateKeyBundle(account.keyBundleVersion, keyBundle)
  return { account: { ...account, keyBundle, keyBundleVersion }, umk: current }
}

/** Recovers the account and resolves to a session logged in with the new password. */
export const recover = (options: ClientOptions, input: RecoverInput): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const http = httpClientFor(options)
    const key = await readRecoveryKey(input.recoveryKey)
    const proof = b64(await recoveryProof(key))
    const started = await refusedAs(
      http.startRecovery(input.username, proof),
      'invalid-recovery-proof',
      badRecoveryKey('mismatch'),
    )
    const umk = await umkFromRecoveryKey(started, key)
    const { registrationRecord, exportKey } = await registerPassword(
      input.newPassword,
      (request) => http.startRegistration(input.username, request),
      options.keyStretching,
    )
    const passwordWrappedUmk = b64(await wrapUmkWithPassword(umk, exportKey))
    await http.finishRecovery({
      recoveryToken: started.recoveryToken,
      registrationRecord,
      passwordWrappedUmk,
    })
    const loggedIn = await logInWithSecondFactor(
      http,
      input.username,
      input.newPassword,
      options.keyStretching === undefined ? {} : { keyStretching: options.keyStretching },
      input.secondFactor,
    )
    const now = await settled(http, key, umk, loggedIn.exportKey)
    return sessionFrom(http, options, now.account, loggedIn.exportKey, now.umk)
  })

/**
 * Knows account recovery with the recovery key, for a user who lost the password:
 *   1. prove the recovery key (recoveryProof) → a single-use recovery token;
 *   2. a fresh OPAQUE registration with the new password, finished with the token;
 *   3. log in with the new password, open the UMK with the recovery key, store it wrapped for the new password.
 * The UMK is needed for step 2's passwordWrappedUmk but the key bundle can only be read once logged in, so
 * step 2 sends an interim value: random bytes that open under no key. A login between steps 2 and 3 (a crash)
 * therefore fails loudly (KeysUnreadable 'umk') instead of yielding a wrong UMK; running recovery again
 * finishes it. Backups and the recovery key itself are untouched.
 */
import type * as E from 'fp-ts/Either'
import { recoveryProof, secureRandomBytes, wrapUmkWithPassword } from '../crypto'
import { b64 } from './encoding'
import { attempt, badRecoveryKey, refusedAs, type SdkError } from './errors'
import { sessionFrom } from './login'
import { logInWithPassword, registerPassword } from './opaque-flows'
import { readRecoveryKey, umkFromRecoveryKey } from './recovery-key'
import { httpClientFor, type ClientOptions, type Session } from './session'

export type RecoverInput = Readonly<{ username: string; recoveryKey: string; newPassword: string }>

/** As long as a real wrapped UMK (nonce, key, tag), so it gives nothing away. */
const INTERIM_WRAP_BYTES = 60

/** Recovers the account and resolves to a session logged in with the new password. */
export const recover = (options: ClientOptions, input: RecoverInput): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const http = httpClientFor(options)
    const key = await readRecoveryKey(input.recoveryKey)
    const proof = b64(await recoveryProof(key))
    const { recoveryToken } = await refusedAs(
      http.startRecovery(input.username, proof),
      'invalid-recovery-proof',
      badRecoveryKey('mismatch'),
    )
    const { registrationRecord } = await registerPassword(
      input.newPassword,
      (request) => http.startRegistration(input.username, request),
      options.keyStretching,
    )
    const interim = b64(secureRandomBytes(INTERIM_WRAP_BYTES))
    await http.finishRecovery({ recoveryToken, registrationRecord, passwordWrappedUmk: interim })
    const { exportKey } = await logInWithPassword(http, input.username, input.newPassword, {
      ...(options.keyStretching === undefined ? {} : { keyStretching: options.keyStretching }),
    })
    const account = await http.getAccount()
    const umk = await umkFromRecoveryKey(account.keyBundle, key)
    const keyBundle = {
      ...account.keyBundle,
      passwordWrappedUmk: b64(await wrapUmkWithPassword(umk, exportKey)),
    }
    const { keyBundleVersion } = await http.updateKeyBundle(account.keyBundleVersion, keyBundle)
    return sessionFrom(http, options, { ...account, keyBundle, keyBundleVersion }, exportKey, umk)
  })

/**
 * Knows the password change: an OPAQUE re-registration by the logged-in client and the same UMK wrapped under
 * the new export key. Backups, keys and the recovery key are untouched; the server ends every other session.
 */
import type * as E from 'fp-ts/Either'
import { wrapUmkWithPassword } from '../crypto'
import { b64 } from './encoding'
import { attempt, type SdkError } from './errors'
import { registerPassword } from './opaque-flows'
import type { Session } from './session'

/** Changes the password; resolves to this session, still valid, with the new bundle and export key. */
export const changePassword = (session: Session, newPassword: string): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const { http } = session
    const { registrationRecord, exportKey } = await registerPassword(
      newPassword,
      (request) => http.startPasswordChange(request),
      session.options.keyStretching,
    )
    const passwordWrappedUmk = b64(await wrapUmkWithPassword(session.umk, exportKey))
    const { keyBundleVersion } = await http.finishPasswordChange({
      expectedVersion: session.keyBundleVersion,
      registrationRecord,
      passwordWrappedUmk,
    })
    return {
      ...session,
      exportKey,
      keyBundle: { ...session.keyBundle, passwordWrappedUmk },
      keyBundleVersion,
    }
  })

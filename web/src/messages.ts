/** What each SDK failure means to a person, in one sentence (codes only: never a value, key or token). */
import { describeError, type SdkError } from './sdk'

export const messageOf = (e: SdkError): string => {
  if (e._tag === 'WrongPassword') return 'Wrong username or password.'
  if (e._tag === 'ContentCorrupt')
    return 'Download refused: the data failed its integrity check (it was altered or cut). Nothing was saved.'
  if (e._tag === 'BadSignature')
    return 'Download refused: this backup’s record was altered after upload (its signature does not verify).'
  if (e._tag === 'BadRecoveryKey')
    return e.reason === 'mismatch'
      ? 'That recovery key does not belong to this account.'
      : 'That recovery key is not valid: check it for typos.'
  if (e._tag === 'ApiError' && e.code === 'username-taken') return 'That username is taken: choose another.'
  if (e._tag === 'ApiError' && e.code === 'quota-exceeded')
    return 'Not enough space left in your quota for this file.'
  if (e._tag === 'ApiError' && e.code === 'second-factor-invalid')
    return 'That code is wrong, already used or expired: try the next one from your app.'
  if (e._tag === 'ApiError' && e.status === 429) return 'Too many attempts: wait a moment and try again.'
  if (e._tag === 'ApiError' && e.code === 'fresh-login-required')
    return 'For your safety this needs a recent login: confirm with your password and try again.'
  return describeError(e)
}

/** Knows how a typed recovery key is checked against the account before anything depends on it. */
import * as E from 'fp-ts/Either'
import { parseRecoveryKey, unwrapUmkWithRecoveryKey, type RecoveryKey, type Umk } from '../crypto'
import { fromB64 } from './encoding'
import { badRecoveryKey, fail } from './errors'
import type { KeyBundle } from './wire'

/** Parses the printed form; BadRecoveryKey('format' | 'checksum') for typos. */
export const readRecoveryKey = async (text: string): Promise<RecoveryKey> => {
  const parsed = await parseRecoveryKey(text)
  return E.isRight(parsed) ? parsed.right : fail(badRecoveryKey(parsed.left.reason))
}

/** The UMK the recovery key opens from this bundle; BadRecoveryKey('mismatch') for another account's key. */
export const umkFromRecoveryKey = async (
  keyBundle: Pick<KeyBundle, 'recoveryWrappedUmk'>,
  key: RecoveryKey,
): Promise<Umk> => {
  const umk = await unwrapUmkWithRecoveryKey(fromB64(keyBundle.recoveryWrappedUmk, 'recoveryWrappedUmk'), key)
  return E.isRight(umk) ? umk.right : fail(badRecoveryKey('mismatch'))
}

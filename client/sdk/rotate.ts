/**
 * Knows key rotation: a new UMK, every backup's DEK re-wrapped under the new BKK (content is never
 * re-encrypted), and the new key bundle, sent as one staged request the server applies all or nothing.
 *
 * The recovery key is needed: the server keeps the recovery verifier of registration, so the recovery key
 * cannot change here, and the new UMK must be wrapped under it too. It is checked against the current bundle
 * first, so a wrong key fails before anything changes.
 * The snapshot repository key (protocol v1.1), when the account has one, is re-wrapped in the same request: the
 * server refuses a rotation without it, and snapshots stay readable and deduplicated.
 * Metadata and device names are encrypted under MEK = HKDF(UMK) and api-v1 has no call to re-encrypt them: call
 * saveKeyring(before, after) next (keyring.ts), or those written before the rotation no longer open.
 */
import * as E from 'fp-ts/Either'
import type { BackupId } from '../../domain/ids'
import {
  deriveBackupKeys,
  generateUmk,
  rewrapDek,
  wrapUmkWithPassword,
  wrapUmkWithRecoveryKey,
  type BackupKeys,
} from '../crypto'
import * as O from 'fp-ts/Option'
import { rewrapRepositoryKey } from '../snapshot/keys'
import { allRecords } from './backups'
import { b64, fromB64 } from './encoding'
import {
  attempt,
  badRecoveryKey,
  badResponse,
  fail,
  isZkebError,
  keysUnreadable,
  networkError,
  type SdkError,
} from './errors'
import { readRecoveryKey, umkFromRecoveryKey } from './recovery-key'
import { withUmk, type Session } from './session'
import { snapshotStoreOf } from './snapshot-store'

/** A backup uploaded while the rotation was being prepared makes the server answer 409; prepare again. */
const maxAttempts = 3

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** Every backup (live and trash, so a restored one still opens) re-wrapped from `from` to `to`. */
const rewrapAll = async (session: Session, from: BackupKeys, to: BackupKeys) => {
  const records = [...(await allRecords(session.http, false)), ...(await allRecords(session.http, true))]
  return Promise.all(
    records.map(async (r) => {
      const wrapped = await rewrapDek(
        from.bkk,
        to.bkk,
        fromB64(r.wrappedKey, 'wrappedKey'),
        r.backupId as BackupId,
      )
      return E.isRight(wrapped)
        ? { backupId: r.backupId, wrappedKey: b64(wrapped.right) }
        : fail(keysUnreadable('dek'))
    }),
  )
}

/** The account's snapshot key re-wrapped from `from` to `to`; undefined when it has none. */
const rewrapSnapshotKey = async (session: Session, from: BackupKeys, to: BackupKeys) => {
  const stored = await snapshotStoreOf(session).getKey()()
  if (E.isLeft(stored))
    return fail(
      stored.left.status === undefined
        ? networkError(stored.left.reason)
        : badResponse(stored.left.status, 'reading the snapshot key failed'),
    )
  if (O.isNone(stored.right)) return undefined
  const wrapped = await rewrapRepositoryKey(from.bkk, to.bkk, stored.right.value)
  return E.isRight(wrapped) ? b64(wrapped.right) : fail(keysUnreadable('snapshot-key'))
}

const isRotationRace = (e: unknown): boolean =>
  isZkebError(e) && e.error._tag === 'ApiError' && e.error.code === 'rotation-incomplete'

/** Rotates the UMK; resolves to the session under the new keys. */
export const rotateKeys = (
  session: Session,
  input: Readonly<{ recoveryKey: string }>,
): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const recoveryKey = await readRecoveryKey(input.recoveryKey)
    const current = await umkFromRecoveryKey(session.keyBundle, recoveryKey)
    if (!equalBytes(current, session.umk)) return fail(badRecoveryKey('mismatch'))
    const umk = generateUmk()
    const keys = await deriveBackupKeys(umk)
    const keyBundle = {
      passwordWrappedUmk: b64(await wrapUmkWithPassword(umk, session.exportKey)),
      recoveryWrappedUmk: b64(await wrapUmkWithRecoveryKey(umk, recoveryKey)),
    }
    for (let attemptNo = 1; ; attemptNo++) {
      const wrappedKeys = await rewrapAll(session, session.keys, keys)
      const snapshotKey = await rewrapSnapshotKey(session, session.keys, keys)
      try {
        const { keyBundleVersion } = await session.http.rotateKeys({
          expectedVersion: session.keyBundleVersion,
          keyBundle,
          wrappedKeys,
          ...(snapshotKey === undefined ? {} : { snapshotKey }),
        })
        return withUmk(session, umk, keyBundle, keyBundleVersion)
      } catch (e) {
        if (!isRotationRace(e) || attemptNo >= maxAttempts) throw e
      }
    }
  })

/** Knows how to keep staged key rotations in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { KeyRotationRepository } from '../../application/ports/key-rotation-repository'
import type { AccountId } from '../../domain/ids'
import { writing } from './in-memory-account-locks'
import { backupKey, type InMemoryDatabase, memoryFailure } from './in-memory-database'

const dropRotation = (db: InMemoryDatabase, accountId: AccountId): void => {
  db.keyRotations.delete(accountId)
  for (const [key, k] of db.rotationKeys) if (k.accountId === accountId) db.rotationKeys.delete(key)
}

const backupsOf = (db: InMemoryDatabase, accountId: AccountId) =>
  [...db.backups.values()].filter((b) => b.accountId === accountId)

export const inMemoryKeyRotationRepository = (db: InMemoryDatabase): KeyRotationRepository => ({
  find: (accountId) => TE.fromIO(() => O.fromNullable(structuredClone(db.keyRotations.get(accountId)))),
  begin: (rotation) =>
    writing(db, rotation.accountId, () => {
      if (!db.accounts.has(rotation.accountId)) return E.left(memoryFailure('account not found'))
      dropRotation(db, rotation.accountId)
      db.keyRotations.set(rotation.accountId, structuredClone(rotation))
      return E.right(undefined)
    }),
  setExpiresAt: (accountId, expiresAt) =>
    writing(db, accountId, () => {
      const stored = db.keyRotations.get(accountId)
      if (stored !== undefined) db.keyRotations.set(accountId, { ...stored, expiresAt: new Date(expiresAt) })
      return E.right(undefined)
    }),
  stage: (accountId, keys) =>
    writing(db, accountId, () => {
      if (!db.keyRotations.has(accountId)) return E.left(memoryFailure('no rotation (foreign key)'))
      for (const { backupId, wrappedKey } of keys)
        db.rotationKeys.set(backupKey(accountId, backupId), { accountId, backupId, wrappedKey })
      return E.right(undefined)
    }),
  pending: (accountId, after, limit) =>
    TE.fromIO(() =>
      backupsOf(db, accountId)
        .filter((b) => !db.rotationKeys.has(backupKey(accountId, b.backupId)))
        .filter((b) => O.isNone(after) || b.backupId > after.value)
        .sort((a, b) => (a.backupId < b.backupId ? -1 : 1))
        .slice(0, limit)
        .map(({ backupId, wrappedKey }) => ({ backupId, wrappedKey })),
    ),
  counts: (accountId) =>
    TE.fromIO(() => {
      const backups = backupsOf(db, accountId)
      const staged = backups.filter((b) => db.rotationKeys.has(backupKey(accountId, b.backupId))).length
      return { backups: backups.length, staged }
    }),
  apply: (accountId, keyVersion) =>
    writing(db, accountId, () => {
      for (const b of backupsOf(db, accountId)) {
        const staged = db.rotationKeys.get(backupKey(accountId, b.backupId))
        if (staged !== undefined)
          db.backups.set(backupKey(accountId, b.backupId), {
            ...b,
            wrappedKey: staged.wrappedKey,
            keyVersion,
          })
      }
      dropRotation(db, accountId)
      return E.right(undefined)
    }),
  remove: (accountId) => writing(db, accountId, () => E.right(dropRotation(db, accountId))),
})

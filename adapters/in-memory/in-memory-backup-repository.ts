/** Knows how to keep backup records in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { BackupQuery, BackupRepository, RewrappedKey } from '../../application/ports/backup-repository'
import type { Unavailable } from '../../application/errors'
import { type Backup, checkRotationCoverage, isInTrash } from '../../domain/backup'
import {
  type BackupExists,
  backupExists,
  type RotationIncomplete,
  type RotationUnknownBackups,
} from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import { writing } from './in-memory-account-locks'
import { backupKey, inMemoryDatabase, type InMemoryDatabase, memoryFailure } from './in-memory-database'

/** Newest first by (createdAt, backupId), as the PostgreSQL index orders them. */
const newestFirst = (a: Backup, b: Backup): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.backupId < b.backupId ? 1 : -1)

const isBeforeCursor = (query: BackupQuery) => (b: Backup) =>
  O.isNone(query.cursor) ||
  b.createdAt.getTime() < query.cursor.value.at.getTime() ||
  (b.createdAt.getTime() === query.cursor.value.at.getTime() && b.backupId < query.cursor.value.id)

const matches = (query: BackupQuery) => (b: Backup) =>
  isInTrash(b) === query.trash &&
  (O.isNone(query.deviceId) || b.deviceId === query.deviceId.value) &&
  isBeforeCursor(query)(b)

const trashedAt = (b: Backup): number => (O.isSome(b.deletedAt) ? b.deletedAt.value.getTime() : Infinity)

/** Oldest trashed first, ties broken as PostgreSQL does: by (accountId, backupId). */
const oldestTrashedFirst = (a: Backup, b: Backup): number =>
  trashedAt(a) - trashedAt(b) ||
  (backupKey(a.accountId, a.backupId) < backupKey(b.accountId, b.backupId) ? -1 : 1)

/** Backups of an account that does not exist are refused, as the foreign key refuses them in PostgreSQL. */
export const inMemoryBackupRepository = (db: InMemoryDatabase = inMemoryDatabase()): BackupRepository => {
  const ofAccount = (accountId: AccountId): Backup[] =>
    [...db.backups.values()].filter((b) => b.accountId === accountId)

  const rewrap = (
    accountId: AccountId,
    keyVersion: number,
    wrappedKeys: ReadonlyArray<RewrappedKey>,
  ): E.Either<RotationIncomplete | RotationUnknownBackups, void> => {
    const backups = ofAccount(accountId)
    const ids = (trashed: boolean) => backups.filter((b) => isInTrash(b) === trashed).map((b) => b.backupId)
    const coverage = checkRotationCoverage(
      ids(false),
      ids(true),
      wrappedKeys.map((w) => w.backupId),
    )
    if (E.isLeft(coverage)) return coverage
    for (const { backupId, wrappedKey } of wrappedKeys) {
      const key = backupKey(accountId, backupId)
      const stored = db.backups.get(key)
      if (stored !== undefined) db.backups.set(key, { ...stored, wrappedKey, keyVersion })
    }
    return E.right(undefined)
  }

  const insert = (backup: Backup): E.Either<Unavailable | BackupExists, void> => {
    if (!db.accounts.has(backup.accountId)) return E.left(memoryFailure('account not found'))
    const key = backupKey(backup.accountId, backup.backupId)
    if (db.backups.has(key)) return E.left(backupExists(backup.backupId))
    db.backups.set(key, structuredClone(backup))
    return E.right(undefined)
  }

  return {
    find: (accountId, backupId) =>
      TE.fromIO(() => O.fromNullable(structuredClone(db.backups.get(backupKey(accountId, backupId))))),
    findMany: (accountId, backupIds) =>
      TE.fromIO(() =>
        structuredClone(
          [...new Set(backupIds)].flatMap((id) => db.backups.get(backupKey(accountId, id)) ?? []),
        ),
      ),
    list: (accountId, query) =>
      TE.fromIO(() =>
        structuredClone(
          ofAccount(accountId)
            .filter(matches(query))
            .sort(newestFirst)
            .slice(0, query.limit + 1),
        ),
      ),
    insert: (backup) => writing(db, backup.accountId, () => insert(backup)),
    setDeletedAt: (accountId, backupId, deletedAt) =>
      writing(db, accountId, () => {
        const key = backupKey(accountId, backupId)
        const stored = db.backups.get(key)
        if (stored !== undefined) db.backups.set(key, { ...stored, deletedAt: structuredClone(deletedAt) })
        return E.right(undefined)
      }),
    rewrapKeys: (accountId, keyVersion, wrappedKeys) =>
      writing(db, accountId, () => rewrap(accountId, keyVersion, wrappedKeys)),
    dueForPurge: (cutoff, limit) =>
      TE.fromIO(() =>
        [...db.backups.values()]
          .filter((b) => O.isSome(b.deletedAt) && b.deletedAt.value.getTime() <= cutoff.getTime())
          .sort(oldestTrashedFirst)
          .slice(0, limit)
          .map(({ accountId, backupId, blobId }) => ({ accountId, backupId, blobId })),
      ),
    referencedBlobs: (blobs) =>
      TE.fromIO(() => {
        // A restic object's blob, an upload session's parts and a snapshot pack's blob are as referenced as a
        // backup's blob.
        const parts = [...db.uploads.values()].flatMap(({ session, parts }) =>
          parts.map((p) => ({ accountId: session.accountId, blobId: p.blobId })),
        )
        const named = new Set(
          [...db.backups.values(), ...db.resticObjects.values(), ...parts, ...db.snapshotPacks.values()].map(
            (b) => `${b.accountId}/${b.blobId}`,
          ),
        )
        return blobs.filter((ref) => named.has(`${ref.accountId}/${ref.blobId}`))
      }),
    remove: (accountId, backupId) =>
      writing(db, accountId, () => E.right(void db.backups.delete(backupKey(accountId, backupId)))),
  }
}

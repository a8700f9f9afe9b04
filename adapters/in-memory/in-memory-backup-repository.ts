/** Knows how to keep backup records in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { BackupQuery, BackupRepository, KeyRotation } from '../../application/ports/backup-repository'
import type { Unavailable } from '../../application/errors'
import { type Backup, checkRotationCoverage, isInTrash } from '../../domain/backup'
import {
  type BackupExists,
  backupExists,
  type QuotaExceeded,
  quotaExceeded,
  type RotationIncomplete,
  type RotationUnknownBackups,
  type VersionMismatch,
  versionMismatch,
} from '../../domain/errors'
import type { AccountId, BackupId } from '../../domain/ids'
import { appendEvent } from './in-memory-audit-repository'
import {
  accountReservedBytes,
  accountUsedBytes,
  backupKey,
  inMemoryDatabase,
  type InMemoryDatabase,
  memoryFailure,
} from './in-memory-database'

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
  const usedBytes = (accountId: AccountId): number => accountUsedBytes(db, accountId)

  const rotate = (
    accountId: AccountId,
    rotation: KeyRotation,
  ): E.Either<Unavailable | VersionMismatch | RotationIncomplete | RotationUnknownBackups, number> => {
    const account = db.accounts.get(accountId)
    if (account === undefined) return E.left(memoryFailure('account not found'))
    if (account.keyBundleVersion !== rotation.expectedVersion)
      return E.left(versionMismatch(account.keyBundleVersion))
    const backups = ofAccount(accountId)
    const ids = (trashed: boolean) => backups.filter((b) => isInTrash(b) === trashed).map((b) => b.backupId)
    const supplied = rotation.wrappedKeys.map((w) => w.backupId)
    const coverage = checkRotationCoverage(ids(false), ids(true), supplied)
    if (E.isLeft(coverage)) return coverage
    const version = account.keyBundleVersion + 1
    db.accounts.set(accountId, {
      ...account,
      keyBundle: structuredClone(rotation.keyBundle),
      keyBundleVersion: version,
    })
    for (const { backupId, wrappedKey } of rotation.wrappedKeys) {
      const key = backupKey(accountId, backupId)
      const stored = db.backups.get(key)
      if (stored !== undefined) db.backups.set(key, { ...stored, wrappedKey, keyVersion: version })
    }
    return E.right(version)
  }

  const commit = (
    backup: Backup,
    limitBytes: number,
  ): E.Either<Unavailable | BackupExists | QuotaExceeded, void> => {
    if (!db.accounts.has(backup.accountId)) return E.left(memoryFailure('account not found'))
    const key = backupKey(backup.accountId, backup.backupId)
    if (db.backups.has(key)) return E.left(backupExists(backup.backupId))
    // Open resumable uploads' reservations count too, except the one this commit completes.
    const used = usedBytes(backup.accountId) + accountReservedBytes(db, backup.accountId, backup.backupId)
    if (used + backup.sizeBytes > limitBytes) return E.left(quotaExceeded(limitBytes, used))
    db.backups.set(key, structuredClone(backup))
    return E.right(undefined)
  }

  return {
    find: (accountId, backupId) =>
      TE.fromIO(() => O.fromNullable(structuredClone(db.backups.get(backupKey(accountId, backupId))))),
    list: (accountId, query) =>
      TE.fromIO(() =>
        structuredClone(
          ofAccount(accountId)
            .filter(matches(query))
            .sort(newestFirst)
            .slice(0, query.limit + 1),
        ),
      ),
    usedBytes: (accountId) => TE.fromIO(() => usedBytes(accountId)),
    commit: (backup, limitBytes) => TE.fromIOEither(() => commit(backup, limitBytes)),
    precheckUpload: (accountId, target) =>
      TE.fromIO(() => {
        const device = db.devices.get(target.deviceId)
        const found = (backupId: BackupId) => db.backups.get(backupKey(accountId, backupId))
        return {
          device: O.fromNullable(structuredClone(device?.accountId === accountId ? device : undefined)),
          account: O.fromNullable(structuredClone(db.accounts.get(accountId))),
          existing: O.fromNullable(structuredClone(found(target.backupId))),
          parentFound: O.isNone(target.parentId) || found(target.parentId.value) !== undefined,
          usedBytes: usedBytes(accountId),
        }
      }),
    // Synchronous inside the task, as one transaction: nothing of it happens unless all of it does.
    commitUpload: (backup, limitBytes, records) =>
      TE.fromIOEither(() => {
        const committed = commit(backup, limitBytes)
        if (E.isLeft(committed)) return committed
        const appended = appendEvent(db, records.event, records.at)
        if (E.isLeft(appended)) {
          db.backups.delete(backupKey(backup.accountId, backup.backupId))
          return appended
        }
        const device = db.devices.get(backup.deviceId)
        if (device?.accountId === backup.accountId)
          db.devices.set(device.deviceId, { ...device, lastSeenAt: new Date(records.at.getTime()) })
        return appended
      }),
    setDeletedAt: (accountId, backupId, deletedAt) =>
      TE.fromIO(() => {
        const key = backupKey(accountId, backupId)
        const stored = db.backups.get(key)
        if (stored !== undefined) db.backups.set(key, { ...stored, deletedAt: structuredClone(deletedAt) })
      }),
    rotateKeys: (accountId, rotation) => TE.fromIOEither(() => rotate(accountId, rotation)),
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
        // A restic object's blob and an upload session's parts are as referenced as a backup's blob.
        const parts = [...db.uploads.values()].flatMap(({ session, parts }) =>
          parts.map((p) => ({ accountId: session.accountId, blobId: p.blobId })),
        )
        const named = new Set(
          [...db.backups.values(), ...db.resticObjects.values(), ...parts].map(
            (b) => `${b.accountId}/${b.blobId}`,
          ),
        )
        return blobs.filter((ref) => named.has(`${ref.accountId}/${ref.blobId}`))
      }),
    remove: (accountId, backupId) => TE.fromIO(() => void db.backups.delete(backupKey(accountId, backupId))),
  }
}

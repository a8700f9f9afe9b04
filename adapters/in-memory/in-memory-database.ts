/**
 * The shared state behind the in-memory repositories, standing in for one PostgreSQL database: deleting an
 * account cascades to its devices, backups and audit trail, and a key rotation touches accounts and backups
 * at once. Wire every in-memory repository of one application, and its in-memory UnitOfWork, to the same
 * `InMemoryDatabase`.
 */
import type { Account } from '../../domain/account'
import type { AuditEvent } from '../../domain/audit'
import type { Backup, WrappedKey } from '../../domain/backup'
import type { Device } from '../../domain/device'
import type { StagedRotation } from '../../domain/key-rotation'
import type { AccountId, BackupId, DeviceId } from '../../domain/ids'
import type { ResticObject, ResticToken, ResticTokenId } from '../../domain/restic'
import type { ObjectId, PackId, SnapshotKey, SnapshotPack, SnapshotRecord } from '../../domain/snapshot'
import type { RecoveryCode, SecondFactor } from '../../domain/second-factor'
import type { UploadPart, UploadSession } from '../../domain/upload-session'
import { unavailable, type Unavailable } from '../../application/errors'

export type InMemoryDatabase = {
  readonly accounts: Map<AccountId, Account>
  readonly devices: Map<DeviceId, Device>
  /** Keyed by `backupKey`: backup ids are chosen by clients, so they are unique per account only. */
  readonly backups: Map<string, Backup>
  /** Each account's chain, oldest first. */
  readonly audit: Map<AccountId, AuditEvent[]>
  readonly resticTokens: Map<ResticTokenId, ResticToken>
  /** Keyed by `resticObjectKey`. */
  readonly resticObjects: Map<string, ResticObject>
  /** Resumable uploads keyed by `uploadKey`, each with its parts in order. */
  readonly uploads: Map<string, { session: UploadSession; parts: UploadPart[] }>
  readonly snapshotKeys: Map<AccountId, SnapshotKey>
  /** Keyed by `snapshotKey(accountId, packId)`. */
  readonly snapshotPacks: Map<string, SnapshotPack>
  /** The object index, keyed by `snapshotKey(accountId, objectId)`. */
  readonly snapshotObjects: Map<string, IndexedObject>
  /** Keyed by `snapshotKey(accountId, snapshotId)`; refs as stored: 32-byte ids, sorted, unique. */
  readonly snapshots: Map<string, SnapshotRecord & Readonly<{ refs: Uint8Array }>>
  /** Keyed by `snapshotKey(accountId, factorId)`. */
  readonly secondFactors: Map<string, SecondFactor>
  /** Keyed by `snapshotKey(accountId, digest)`. */
  readonly recoveryCodes: Map<string, RecoveryCode>
  readonly keyRotations: Map<AccountId, StagedRotation>
  /** The staged rotation's keys, keyed by `backupKey`. */
  readonly rotationKeys: Map<string, StagedKey>
}

/** One re-wrapped data key uploaded for the account's staged rotation. */
export type StagedKey = Readonly<{ accountId: AccountId; backupId: BackupId; wrappedKey: WrappedKey }>

/** One row of the object index: where the object lies, and when it was last claimed. */
export type IndexedObject = Readonly<{
  accountId: AccountId
  objectId: ObjectId
  packId: PackId
  offset: number
  length: number
  claimedAt: Date
}>

export const inMemoryDatabase = (): InMemoryDatabase => ({
  accounts: new Map(),
  devices: new Map(),
  backups: new Map(),
  audit: new Map(),
  resticTokens: new Map(),
  resticObjects: new Map(),
  uploads: new Map(),
  snapshotKeys: new Map(),
  snapshotPacks: new Map(),
  snapshotObjects: new Map(),
  snapshots: new Map(),
  secondFactors: new Map(),
  recoveryCodes: new Map(),
  keyRotations: new Map(),
  rotationKeys: new Map(),
})

/** The key of a snapshot table's row: ids are unique per account only. */
export const snapshotKey = (accountId: AccountId, id: string): string => `${accountId}/${id}`

export const uploadKey = (accountId: AccountId, uploadId: string): string => `${accountId}/${uploadId}`

export const backupKey = (accountId: AccountId, backupId: BackupId): string => `${accountId}/${backupId}`

/** What PostgreSQL reports as a failed statement (foreign key, primary key), here as a Left. */
export const memoryFailure = (reason: string): Unavailable => unavailable('memory')(new Error(reason))

/** Removes everything the account owns, as ON DELETE CASCADE does. */
export const cascadeDeleteAccount = (db: InMemoryDatabase, accountId: AccountId): void => {
  db.accounts.delete(accountId)
  db.audit.delete(accountId)
  for (const [id, device] of db.devices) if (device.accountId === accountId) db.devices.delete(id)
  for (const [key, backup] of db.backups) if (backup.accountId === accountId) db.backups.delete(key)
  for (const [id, token] of db.resticTokens) if (token.accountId === accountId) db.resticTokens.delete(id)
  for (const [key, o] of db.resticObjects) if (o.accountId === accountId) db.resticObjects.delete(key)
  for (const [key, u] of db.uploads) if (u.session.accountId === accountId) db.uploads.delete(key)
  db.snapshotKeys.delete(accountId)
  db.keyRotations.delete(accountId)
  for (const [key, k] of db.rotationKeys) if (k.accountId === accountId) db.rotationKeys.delete(key)
  for (const table of [
    db.snapshotPacks,
    db.snapshotObjects,
    db.snapshots,
    db.secondFactors,
    db.recoveryCodes,
  ])
    for (const [key, row] of table) if (row.accountId === accountId) table.delete(key)
}

/** Knows the backup list (every page, metadata opened on the client), the trash and restoring from it. */
import type * as E from 'fp-ts/Either'
import type { BackupMetadata } from '../crypto'
import { attempt, type SdkError } from './errors'
import { openMetadataWithKeyring } from './keyring'
import { allRecords } from './records'
import type { Session } from './session'
import type { BackupRecord } from './wire'

export { allRecords } from './records'

export type BackupView = Readonly<{
  backupId: string
  /** Ciphertext bytes on the server (a Padmé bucket, not the exact plaintext size). */
  sizeBytes: number
  createdAt: string
  deviceId: string
  parentId: string | null
  deletedAt: string | null
  /** null when it opens neither with the current MEK nor with one the keyring keeps (see keyring.ts). */
  metadata: BackupMetadata | null
}>

const viewOf = async (session: Session, r: BackupRecord): Promise<BackupView> => ({
  backupId: r.backupId,
  sizeBytes: r.sizeBytes,
  createdAt: r.createdAt,
  deviceId: r.deviceId,
  parentId: r.parentId,
  deletedAt: r.deletedAt,
  metadata: await openMetadataWithKeyring(session, r),
})

/** Live backups newest first, or the trash with `trash: true`. */
export const listBackups = (
  session: Session,
  options: Readonly<{ trash?: boolean }> = {},
): Promise<E.Either<SdkError, ReadonlyArray<BackupView>>> =>
  attempt(async () => {
    const records = await allRecords(session.http, options.trash === true)
    return Promise.all(records.map((r) => viewOf(session, r)))
  })

/** Moves a backup to the trash (restorable until it is purged). */
export const trashBackup = (session: Session, backupId: string): Promise<E.Either<SdkError, void>> =>
  attempt(() => session.http.trashBackup(backupId))

/** Brings a backup back from the trash. */
export const restoreBackup = (session: Session, backupId: string): Promise<E.Either<SdkError, BackupView>> =>
  attempt(async () => viewOf(session, await session.http.restoreBackup(backupId)))

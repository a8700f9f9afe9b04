/** One-shot backups: upload, list, read, trash and restore. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { uploadBackup } from './upload-backup'
import type { UploadBackup } from './upload-input'
import { listBackups, type ListBackups } from './list-backups'
import { getBackup, type GetBackup } from './get-backup'
import { downloadBackup, type DownloadBackup } from './download-backup'
import { trashBackup, type TrashBackup } from './trash-backup'
import { restoreBackup, type RestoreBackup } from './restore-backup'

export * from './commit-backup'
export * from './download-backup'
export * from './get-backup'
export * from './list-backups'
export * from './metered-content'
export * from './precheck-upload'
export * from './restore-backup'
export * from './store-backup'
export * from './trash-backup'
export * from './upload-backup'
export * from './upload-input'

export type BackupUseCases = Readonly<{
  uploadBackup: UploadBackup
  listBackups: ListBackups
  getBackup: GetBackup
  downloadBackup: DownloadBackup
  trashBackup: TrashBackup
  restoreBackup: RestoreBackup
}>

export const makeBackupUseCases = (ports: Ports): BackupUseCases => ({
  uploadBackup: uploadBackup(ports),
  listBackups: listBackups(ports),
  getBackup: getBackup(ports),
  downloadBackup: downloadBackup(ports),
  trashBackup: trashBackup(ports),
  restoreBackup: restoreBackup(ports),
})

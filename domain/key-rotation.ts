/**
 * A staged key rotation (issue #21): the new key bundle waits beside the account while the client uploads every
 * backup's re-wrapped data key in pages; the commit swaps all of it at once. One per account; it expires when
 * left alone for the configured time.
 * SECURITY: the staged bundle and keys are ciphertext of the same kinds the account already stores.
 */
import type { KeyBundle } from './account'
import type { AccountId, BackupId } from './ids'
import type { KeyRotationId } from './key-rotation-id'

export { KeyRotationId } from './key-rotation-id'

export type StagedRotation = Readonly<{
  accountId: AccountId
  rotationId: KeyRotationId
  /** The key-bundle version the rotation replaces; the commit refuses if the account moved on. */
  expectedVersion: number
  keyBundle: KeyBundle
  createdAt: Date
  /** Pushed forward by every page of keys, so only an abandoned rotation expires. */
  expiresAt: Date
}>

export const isExpired = (rotation: StagedRotation, now: Date): boolean =>
  rotation.expiresAt.getTime() <= now.getTime()

/** The paths (`wrappedKeys.<i>.backupId`) of every backup id named a second time in one request. */
export const duplicateBackupPaths = (wrappedKeys: ReadonlyArray<{ backupId: BackupId }>): string[] => {
  const seen = new Set<string>()
  const paths: string[] = []
  wrappedKeys.forEach(({ backupId }, i) => {
    if (seen.has(backupId)) paths.push(`wrappedKeys.${i}.backupId`)
    seen.add(backupId)
  })
  return paths
}

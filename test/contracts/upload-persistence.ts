/** The upload-session port with the repositories it shares a store with, in-memory and over real PostgreSQL. */
import { randomBytes, randomUUID } from 'node:crypto'
import * as O from 'fp-ts/Option'
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemoryResticObjectRepository } from '../../adapters/in-memory/in-memory-restic-object-repository'
import { inMemoryUploadSessionRepository } from '../../adapters/in-memory/in-memory-upload-session-repository'
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexResticObjectRepository } from '../../adapters/persistence/knex/knex-restic-object-repository'
import { knexUploadSessionRepository } from '../../adapters/persistence/knex/knex-upload-session-repository'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { BackupRepository } from '../../application/ports/backup-repository'
import type { ResticObjectRepository } from '../../application/ports/restic-object-repository'
import type { UploadSessionRepository } from '../../application/ports/upload-session-repository'
import type { AccountId, Sha256Hex } from '../../domain/ids'
import type { UploadId, UploadSession } from '../../domain/upload-session'
import { aBackupId, aDeviceId, at, opaqueBytes } from '../support/persistence-builders'
import { createTestDatabase } from '../support/postgres'

export type UploadHarness = Readonly<{
  accounts: AccountRepository
  backups: BackupRepository
  resticObjects: ResticObjectRepository
  uploads: UploadSessionRepository
  reset: () => Promise<void>
  close: () => Promise<void>
}>

export const inMemoryUploads = (): Promise<UploadHarness> => {
  const db = inMemoryDatabase()
  return Promise.resolve({
    accounts: inMemoryAccountRepository(db),
    backups: inMemoryBackupRepository(db),
    resticObjects: inMemoryResticObjectRepository(db),
    uploads: inMemoryUploadSessionRepository(db),
    reset: () => Promise.resolve(Object.values(db).forEach((table: Map<unknown, unknown>) => table.clear())),
    close: () => Promise.resolve(),
  })
}

export const knexUploads = async (): Promise<UploadHarness> => {
  const db = await createTestDatabase()
  return {
    accounts: knexAccountRepository(db.appKnex),
    backups: knexBackupRepository(db.appKnex),
    resticObjects: knexResticObjectRepository(db.appKnex),
    uploads: knexUploadSessionRepository(db.appKnex),
    reset: async () => void (await db.ownerKnex.raw('truncate zkeb.accounts cascade')),
    close: db.drop,
  }
}

export const anUploadSession = (
  accountId: AccountId,
  overrides: Partial<UploadSession> = {},
): UploadSession => ({
  uploadId: randomUUID() as UploadId,
  accountId,
  deviceId: aDeviceId(),
  backupId: aBackupId(),
  parentId: O.none,
  lengthBytes: 1000,
  offsetBytes: 0,
  contentSha256: randomBytes(32).toString('hex') as Sha256Hex,
  signature: opaqueBytes(64),
  wrappedKey: opaqueBytes(60),
  encryptedMetadata: opaqueBytes(100),
  createdAt: at(),
  expiresAt: at(60_000),
  ...overrides,
})

/** The knex adapters over a fresh PostgreSQL database, connected as the application role `zkeb_app`. */
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../../adapters/persistence/knex/knex-blob-store'
import { knexDeviceRepository } from '../../adapters/persistence/knex/knex-device-repository'
import { knexUnitOfWork } from '../../adapters/persistence/knex/knex-unit-of-work'
import { anAccount } from '../support/persistence-builders'
import { createTestDatabase } from '../support/postgres'
import type { BlobStoreHarness, PersistenceHarness } from './harness'
import { right } from './harness'

export const knexName = 'knex, PostgreSQL'

export const knexPersistence = async (): Promise<PersistenceHarness> => {
  const db = await createTestDatabase()
  return {
    accounts: knexAccountRepository(db.appKnex),
    devices: knexDeviceRepository(db.appKnex),
    backups: knexBackupRepository(db.appKnex),
    audit: knexAuditRepository(db.appKnex),
    unitOfWork: knexUnitOfWork(db.appKnex),
    reset: async () => void (await db.ownerKnex.raw('truncate zkeb.accounts cascade')),
    close: db.drop,
  }
}

export const knexBlobs = async (): Promise<BlobStoreHarness> => {
  const db = await createTestDatabase()
  const accounts = knexAccountRepository(db.appKnex)
  return {
    blobs: knexBlobStore(db.appKnex),
    givenAccount: (accountId) => right(accounts.create(anAccount({ accountId }))),
    reset: async () => void (await db.ownerKnex.raw('truncate zkeb.accounts cascade')),
    close: db.drop,
  }
}

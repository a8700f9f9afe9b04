/** The maintenance ports (backfill jobs, cross-account queries) over one store, in-memory or PostgreSQL. */
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryBackfillJobs } from '../../adapters/in-memory/in-memory-backfill-jobs'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryBlobStore } from '../../adapters/in-memory/in-memory-blob-store'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemoryMaintenanceQueries } from '../../adapters/in-memory/in-memory-maintenance-queries'
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexBackfillJobs } from '../../adapters/persistence/knex/knex-backfill-jobs'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../../adapters/persistence/knex/knex-blob-store'
import { knexMaintenanceQueries } from '../../adapters/persistence/knex/knex-maintenance-queries'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { BackfillJobs } from '../../application/ports/backfill-jobs'
import type { BackupRepository } from '../../application/ports/backup-repository'
import type { BlobStore } from '../../application/ports/blob-store'
import type { MaintenanceQueries } from '../../application/ports/maintenance-queries'
import { createTestDatabase } from '../support/postgres'

export type MaintenanceHarness = Readonly<{
  accounts: AccountRepository
  backups: BackupRepository
  blobs: BlobStore
  backfills: BackfillJobs
  maintenance: MaintenanceQueries
  reset: () => Promise<void>
  close: () => Promise<void>
}>

export const inMemoryMaintenance = (): Promise<MaintenanceHarness> => {
  const db = inMemoryDatabase()
  let blobs = inMemoryBlobStore()
  const backfills = inMemoryBackfillJobs(db, { now: () => new Date() })
  const harness = {
    accounts: inMemoryAccountRepository(db),
    backups: inMemoryBackupRepository(db),
    get blobs() {
      return blobs
    },
    backfills,
    get maintenance() {
      return inMemoryMaintenanceQueries(db, blobs)
    },
    reset: () => {
      Object.values(db).forEach((table: Map<unknown, unknown>) => table.clear())
      blobs = inMemoryBlobStore()
      backfills.reset()
      return Promise.resolve()
    },
    close: () => Promise.resolve(),
  }
  return Promise.resolve(harness)
}

export const knexMaintenance = async (): Promise<MaintenanceHarness> => {
  const db = await createTestDatabase()
  return {
    accounts: knexAccountRepository(db.appKnex),
    backups: knexBackupRepository(db.appKnex),
    blobs: knexBlobStore(db.appKnex),
    backfills: knexBackfillJobs(db.appKnex),
    maintenance: knexMaintenanceQueries(db.appKnex),
    reset: async () => {
      await db.ownerKnex.raw('truncate zkeb.accounts cascade')
      await db.ownerKnex('zkeb.backfill_jobs').update({
        state: 'pending',
        cursor: null,
        processed: 0,
        batches: 0,
        finished_at: null,
      })
    },
    close: db.drop,
  }
}

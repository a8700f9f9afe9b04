/** The in-memory twins wired as an application wires them: over one shared database. */
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryAuditRepository } from '../../adapters/in-memory/in-memory-audit-repository'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryBlobStore } from '../../adapters/in-memory/in-memory-blob-store'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemoryDeviceRepository } from '../../adapters/in-memory/in-memory-device-repository'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import { inMemoryUnitOfWork } from '../../adapters/in-memory/in-memory-unit-of-work'
import type { BlobStoreHarness, PersistenceHarness } from './harness'

/** Suites tagged `@memory` run under `npm run test:memory`, with no database at all. */
export const inMemoryName = 'in-memory @memory'

export const inMemoryPersistence = (): Promise<PersistenceHarness> => {
  const db = inMemoryDatabase()
  return Promise.resolve({
    accounts: inMemoryAccountRepository(db),
    devices: inMemoryDeviceRepository(db),
    backups: inMemoryBackupRepository(db),
    audit: inMemoryAuditRepository(db),
    unitOfWork: inMemoryUnitOfWork(db, inMemorySessionStore()),
    reset: () => Promise.resolve(Object.values(db).forEach((table: Map<unknown, unknown>) => table.clear())),
    close: () => Promise.resolve(),
  })
}

/** A fresh store per test: the in-memory blob store has no way to empty itself, nor needs one. */
export const inMemoryBlobs = (): Promise<BlobStoreHarness> => {
  const harness = {
    blobs: inMemoryBlobStore(),
    givenAccount: () => Promise.resolve(),
    reset: () => Promise.resolve(void (harness.blobs = inMemoryBlobStore())),
    close: () => Promise.resolve(),
  }
  return Promise.resolve(harness)
}

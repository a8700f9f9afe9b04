/**
 * The UnitOfWork with the repositories of the same store, as an application wires them: in memory; and over a
 * fresh PostgreSQL as `zkeb_app`, with sessions in PostgreSQL (STORE=redis) or in process memory (STORE=memory).
 */
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryAuditRepository } from '../../adapters/in-memory/in-memory-audit-repository'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemoryDeviceRepository } from '../../adapters/in-memory/in-memory-device-repository'
import { inMemoryResticObjectRepository } from '../../adapters/in-memory/in-memory-restic-object-repository'
import { inMemoryResticTokenRepository } from '../../adapters/in-memory/in-memory-restic-token-repository'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import { inMemoryUnitOfWork } from '../../adapters/in-memory/in-memory-unit-of-work'
import { inMemoryUploadSessionRepository } from '../../adapters/in-memory/in-memory-upload-session-repository'
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexDeviceRepository } from '../../adapters/persistence/knex/knex-device-repository'
import { knexResticObjectRepository } from '../../adapters/persistence/knex/knex-restic-object-repository'
import { knexResticTokenRepository } from '../../adapters/persistence/knex/knex-restic-token-repository'
import { knexSessionStore } from '../../adapters/persistence/knex/knex-session-store'
import { knexUnitOfWork } from '../../adapters/persistence/knex/knex-unit-of-work'
import { knexUploadSessionRepository } from '../../adapters/persistence/knex/knex-upload-session-repository'
import type { ResticObjectRepository } from '../../application/ports/restic-object-repository'
import type { ResticTokenRepository } from '../../application/ports/restic-token-repository'
import type { SessionStore } from '../../application/ports/session-store'
import type { UploadSessionRepository } from '../../application/ports/upload-session-repository'
import { createTestDatabase } from '../support/postgres'
import type { PersistenceHarness } from './harness'

export type UnitOfWorkHarness = PersistenceHarness &
  Readonly<{
    uploads: UploadSessionRepository
    resticObjects: ResticObjectRepository
    resticTokens: ResticTokenRepository
    sessions: SessionStore
  }>

export const inMemoryUnitOfWorkHarness = (): Promise<UnitOfWorkHarness> => {
  const db = inMemoryDatabase()
  // One session store for the whole suite: its sessions have random ids, so none outlives a reset usefully.
  const sessions = inMemorySessionStore()
  return Promise.resolve({
    accounts: inMemoryAccountRepository(db),
    devices: inMemoryDeviceRepository(db),
    backups: inMemoryBackupRepository(db),
    audit: inMemoryAuditRepository(db),
    uploads: inMemoryUploadSessionRepository(db),
    resticObjects: inMemoryResticObjectRepository(db),
    resticTokens: inMemoryResticTokenRepository(db),
    sessions,
    unitOfWork: inMemoryUnitOfWork(db, sessions),
    reset: () => Promise.resolve(Object.values(db).forEach((table: Map<unknown, unknown>) => table.clear())),
    close: () => Promise.resolve(),
  })
}

export const knexUnitOfWorkHarness =
  (sessionsIn: 'postgres' | 'memory') => async (): Promise<UnitOfWorkHarness> => {
    const db = await createTestDatabase()
    const sessions = sessionsIn === 'postgres' ? knexSessionStore(db.appKnex) : inMemorySessionStore()
    return {
      accounts: knexAccountRepository(db.appKnex),
      devices: knexDeviceRepository(db.appKnex),
      backups: knexBackupRepository(db.appKnex),
      audit: knexAuditRepository(db.appKnex),
      uploads: knexUploadSessionRepository(db.appKnex),
      resticObjects: knexResticObjectRepository(db.appKnex),
      resticTokens: knexResticTokenRepository(db.appKnex),
      sessions,
      unitOfWork:
        sessionsIn === 'postgres'
          ? knexUnitOfWork(db.appKnex)
          : knexUnitOfWork(db.appKnex, { kind: 'store', store: sessions }),
      reset: async () => void (await db.ownerKnex.raw('truncate zkeb.accounts, zkeb.sessions cascade')),
      close: db.drop,
    }
  }

/**
 * Binds the durable ports to their in-memory twins (PERSISTENCE=memory): one shared in-process database for
 * accounts, devices, backups, the audit trail, restic and upload records, the blobs beside it, and the
 * maintenance queries over both. Everything is lost when the process stops: the test suites, the bench's quick
 * runs and a try-out `npm start` use it; production refuses it (config).
 */
import * as TE from 'fp-ts/TaskEither'
import type { Container } from 'inversify'
import type { ReadinessProbe } from '../../application/ports/readiness-probe'
import { inMemoryAccountRepository } from '../in-memory/in-memory-account-repository'
import { inMemoryAuditRepository } from '../in-memory/in-memory-audit-repository'
import { inMemoryBackfillJobs } from '../in-memory/in-memory-backfill-jobs'
import { inMemoryBackupRepository } from '../in-memory/in-memory-backup-repository'
import { inMemoryBlobStore } from '../in-memory/in-memory-blob-store'
import { inMemoryDatabase } from '../in-memory/in-memory-database'
import { inMemoryDeviceRepository } from '../in-memory/in-memory-device-repository'
import { inMemoryMaintenanceQueries } from '../in-memory/in-memory-maintenance-queries'
import { inMemoryResticObjectRepository } from '../in-memory/in-memory-restic-object-repository'
import { inMemoryResticTokenRepository } from '../in-memory/in-memory-restic-token-repository'
import { inMemorySnapshotAccounts } from '../in-memory/in-memory-snapshot-accounts'
import { inMemoryUnitOfWork } from '../in-memory/in-memory-unit-of-work'
import { inMemoryUploadSessionRepository } from '../in-memory/in-memory-upload-session-repository'
import { memoryGauges } from './memory-gauges'
import { id, type Token, TOKENS } from './tokens'

/** The blob store with its listing for maintenance, which the BlobStore port does not expose. */
const MemoryBlobs = Symbol.for('zkeb/MemoryBlobs') as Token<ReturnType<typeof inMemoryBlobStore>>

/** In-process tables cannot fail to answer; reported under the names PostgreSQL's checks use. */
export const answering = (name: string): ReadinessProbe => ({ name, check: () => TE.right(undefined) })

export const bindMemoryPersistence = (c: Container): void => {
  const db = inMemoryDatabase()
  c.bind(id(TOKENS.AccountRepository)).toConstantValue(inMemoryAccountRepository(db))
  c.bind(id(TOKENS.DeviceRepository)).toConstantValue(inMemoryDeviceRepository(db))
  c.bind(id(TOKENS.BackupRepository)).toConstantValue(inMemoryBackupRepository(db))
  c.bind(id(TOKENS.AuditRepository)).toConstantValue(inMemoryAuditRepository(db))
  c.bind(id(TOKENS.ResticTokenRepository)).toConstantValue(inMemoryResticTokenRepository(db))
  c.bind(id(TOKENS.ResticObjectRepository)).toConstantValue(inMemoryResticObjectRepository(db))
  c.bind(id(TOKENS.UploadSessionRepository)).toConstantValue(inMemoryUploadSessionRepository(db))
  c.bind(id(TOKENS.SnapshotAccounts)).toConstantValue(inMemorySnapshotAccounts(db))
  // Over the same tables and the same session store as the ports themselves.
  c.bind(id(TOKENS.UnitOfWork)).toResolvedValue(
    (sessions) => inMemoryUnitOfWork(db, sessions),
    [id(TOKENS.SessionStore)],
  )
  c.bind(id(MemoryBlobs)).toResolvedValue((clock) => inMemoryBlobStore(() => clock.now()), [id(TOKENS.Clock)])
  c.bind(id(TOKENS.BlobStore)).toService(id(MemoryBlobs))
  c.bind(id(TOKENS.BackfillJobs)).toResolvedValue(
    (clock) => inMemoryBackfillJobs(db, clock),
    [id(TOKENS.Clock)],
  )
  c.bind(id(TOKENS.MaintenanceQueries)).toResolvedValue(
    (blobs) => inMemoryMaintenanceQueries(db, blobs),
    [id(MemoryBlobs)],
  )
  c.bind(id(TOKENS.Gauges)).toResolvedValue(
    (blobs, config) => memoryGauges(db, blobs, config),
    [id(MemoryBlobs), id(TOKENS.Config)],
  )
  c.bind(id(TOKENS.PersistenceProbes)).toConstantValue([answering('database'), answering('blobs')])
}

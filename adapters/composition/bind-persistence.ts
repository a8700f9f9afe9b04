/**
 * Binds the durable ports to PostgreSQL through the application role's pool (row-level security applies):
 * accounts, devices, backups, the audit trail, restic and upload records, the maintenance queries, and the
 * blobs: files in a folder (`local`, chosen by blob-storage.ts), chunks in the same database, or objects in an
 * S3-compatible bucket (BLOB_STORE=s3). Deletions from a folder or a bucket pause while
 * a backup of the service runs (blobs/backup-fence.ts).
 */
import type { Container } from 'inversify'
import type { Knex } from 'knex'
import { knexAccountRepository } from '../persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../persistence/knex/knex-audit-repository'
import { knexBackfillJobs } from '../persistence/knex/knex-backfill-jobs'
import { knexBackupRepository } from '../persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../persistence/knex/knex-blob-store'
import { knexDeviceRepository } from '../persistence/knex/knex-device-repository'
import { knexMaintenanceQueries } from '../persistence/knex/knex-maintenance-queries'
import { knexResticObjectRepository } from '../persistence/knex/knex-restic-object-repository'
import { knexUploadSessionRepository } from '../persistence/knex/knex-upload-session-repository'
import { knexResticTokenRepository } from '../persistence/knex/knex-restic-token-repository'
import { knexSnapshotAccounts } from '../persistence/knex/knex-snapshot-accounts'
import { knexReadinessProbe } from '../persistence/knex/knex-readiness-probe'
import { knexUnitOfWork } from '../persistence/knex/knex-unit-of-work'
import type { SessionStore } from '../../application/ports/session-store'
import { s3BlobStore, s3ReadinessProbe } from '../blobs/s3/s3-blob-store'
import { gaugeSources } from './bind-observability'
import { backupFencedBlobStore } from '../blobs/backup-fence'
import type { BlobStoreChoice } from './blob-storage'
import { id, TOKENS } from './tokens'

/**
 * `sessionsInDatabase`: STORE=redis records sessions in PostgreSQL, so a login's session commits in the unit of
 * work's transaction; with STORE=memory they live in process memory and are written as that transaction commits.
 */
export const bindPostgresPersistence = (
  c: Container,
  appKnex: Knex,
  blobs: BlobStoreChoice,
  sessionsInDatabase: boolean,
): void => {
  c.bind(id(TOKENS.AppKnex)).toConstantValue(appKnex)
  const knex = [id(TOKENS.AppKnex)] as const
  c.bind(id(TOKENS.AccountRepository)).toResolvedValue(knexAccountRepository, [...knex])
  c.bind(id(TOKENS.DeviceRepository)).toResolvedValue(knexDeviceRepository, [...knex])
  c.bind(id(TOKENS.BackupRepository)).toResolvedValue(knexBackupRepository, [...knex])
  c.bind(id(TOKENS.AuditRepository)).toResolvedValue(knexAuditRepository, [...knex])
  c.bind(id(TOKENS.ResticTokenRepository)).toResolvedValue(knexResticTokenRepository, [...knex])
  c.bind(id(TOKENS.ResticObjectRepository)).toResolvedValue(knexResticObjectRepository, [...knex])
  c.bind(id(TOKENS.UploadSessionRepository)).toResolvedValue(knexUploadSessionRepository, [...knex])
  c.bind(id(TOKENS.SnapshotAccounts)).toResolvedValue(knexSnapshotAccounts, [...knex])
  c.bind(id(TOKENS.BackfillJobs)).toResolvedValue(knexBackfillJobs, [...knex])
  c.bind(id(TOKENS.MaintenanceQueries)).toResolvedValue(knexMaintenanceQueries, [...knex])
  c.bind(id(TOKENS.Gauges)).toResolvedValue(gaugeSources, [...knex, id(TOKENS.Config)])
  c.bind(id(TOKENS.UnitOfWork)).toResolvedValue(
    (db: Knex, store: SessionStore) =>
      sessionsInDatabase ? knexUnitOfWork(db) : knexUnitOfWork(db, { kind: 'store', store }),
    [...knex, id(TOKENS.SessionStore)],
  )
  if (blobs.kind === 'local') {
    c.bind(id(TOKENS.BlobStore)).toResolvedValue(
      (db: Knex) => backupFencedBlobStore(blobs.store, db),
      [...knex],
    )
    c.bind(id(TOKENS.PersistenceProbes)).toResolvedValue(
      (db: Knex) => [knexReadinessProbe(db), blobs.probe],
      [...knex],
    )
    return
  }
  if (blobs.kind === 's3') {
    const s3 = s3BlobStore({ client: blobs.client, bucket: blobs.bucket })
    c.bind(id(TOKENS.BlobStore)).toResolvedValue((db: Knex) => backupFencedBlobStore(s3, db), [...knex])
    c.bind(id(TOKENS.PersistenceProbes)).toResolvedValue(
      (db: Knex) => [knexReadinessProbe(db), s3ReadinessProbe(blobs.client, blobs.bucket)],
      [...knex],
    )
    return
  }
  c.bind(id(TOKENS.BlobStore)).toResolvedValue((db: Knex) => knexBlobStore(db), [...knex])
  // Blobs are chunks in the same PostgreSQL, so their check is the database's, reported under its own name.
  c.bind(id(TOKENS.PersistenceProbes)).toResolvedValue(
    (db: Knex) => [knexReadinessProbe(db), { ...knexReadinessProbe(db), name: 'blobs' }],
    [...knex],
  )
}

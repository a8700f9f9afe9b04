/**
 * Binds the durable ports to PostgreSQL through the application role's pool (row-level security applies):
 * accounts, devices, backups, the audit trail, and the blobs, whose chunks live in the same database unless
 * BLOB_STORE=s3 puts them in an S3-compatible bucket, whose deletions pause while a backup runs (blobs/backup-fence.ts).
 */
import type { Container } from 'inversify'
import type { Knex } from 'knex'
import { knexAccountRepository } from '../persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../persistence/knex/knex-blob-store'
import { knexDeviceRepository } from '../persistence/knex/knex-device-repository'
import { knexResticObjectRepository } from '../persistence/knex/knex-restic-object-repository'
import { knexUploadSessionRepository } from '../persistence/knex/knex-upload-session-repository'
import { knexResticTokenRepository } from '../persistence/knex/knex-restic-token-repository'
import { knexReadinessProbe } from '../persistence/knex/knex-readiness-probe'
import { s3BlobStore, s3ReadinessProbe } from '../blobs/s3/s3-blob-store'
import { backupFencedBlobStore } from '../blobs/backup-fence'
import type { BlobStoreChoice } from './blob-storage'
import { id, TOKENS } from './tokens'

export const bindPersistence = (
  c: Container,
  appKnex: Knex,
  blobs: BlobStoreChoice = { kind: 'postgres' },
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

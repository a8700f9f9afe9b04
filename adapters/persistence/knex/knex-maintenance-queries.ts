/**
 * Knows how to answer maintenance's cross-account questions in PostgreSQL, through SECURITY DEFINER
 * functions. zkeb.orphan_blobs (migration 20261201000100) is not called here: blob collection lists the blob
 * store itself, which also works for S3. The function stays while a release that calls it may still run
 * beside this one; a contract migration drops it afterwards (expand/contract).
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { MaintenanceQueries, ServiceStats } from '../../../application/ports/maintenance-queries'
import { decodeWith } from './row-codecs'
import { query } from '../pg-session'

const decodeStats = decodeWith(
  t.type({
    accounts: t.number,
    disabled_accounts: t.number,
    live_backups: t.number,
    trashed_backups: t.number,
    backup_bytes: t.number,
    blobs: t.number,
    blob_bytes: t.number,
  }),
  (r): ServiceStats => ({
    accounts: r.accounts,
    disabledAccounts: r.disabled_accounts,
    liveBackups: r.live_backups,
    trashedBackups: r.trashed_backups,
    backupBytes: r.backup_bytes,
    blobs: r.blobs,
    blobBytes: r.blob_bytes,
  }),
)

export const knexMaintenanceQueries = (knex: Knex): MaintenanceQueries => ({
  stats: () =>
    pipe(
      query(() => knex.raw<{ rows: unknown[] }>('select * from zkeb.service_stats()')),
      TE.flatMapEither((result) => decodeStats(result.rows[0])),
    ),
})

/**
 * Knows how to read the storage totals behind the quota, trash and garbage-collection gauges: one call of
 * the SECURITY DEFINER function `zkeb.storage_totals`, which returns sums across accounts only.
 */
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import type { Unavailable } from '../../../application/errors'
import type { StorageSample } from '../../../application/ports/metrics'
import { query } from '../pg-session'

type Row = Readonly<Record<string, number | string | null>>

const figure = (row: Row, column: string): number => Number(row[column] ?? 0)

export type StorageTotalsQuery = Readonly<{
  /** Trash deleted at or before this is past retention (the purge's backlog). */
  purgeCutoff: Date
  /** Blobs without a backup are garbage only once older than this (younger ones may be uploads in flight). */
  orphanBefore: Date
}>

export const knexStorageTotals =
  (knex: Knex) =>
  (q: StorageTotalsQuery): TE.TaskEither<Unavailable, StorageSample> =>
    TE.map((result: { rows: Row[] }) => {
      const row = result.rows[0] ?? {}
      return {
        accounts: figure(row, 'accounts'),
        quotaBytes: figure(row, 'quota_bytes'),
        usedBytes: figure(row, 'used_bytes'),
        accountsNearQuota: figure(row, 'accounts_near_quota'),
        trashBackups: figure(row, 'trash_backups'),
        trashBytes: figure(row, 'trash_bytes'),
        purgeBacklogBackups: figure(row, 'purge_backlog_backups'),
        orphanBlobs: figure(row, 'orphan_blobs'),
        orphanBlobBytes: figure(row, 'orphan_blob_bytes'),
      }
    })(
      query(() =>
        knex.raw<{ rows: Row[] }>('select * from zkeb.storage_totals(?, ?)', [q.purgeCutoff, q.orphanBefore]),
      ),
    )

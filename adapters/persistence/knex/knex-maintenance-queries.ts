/**
 * Knows how to answer maintenance's cross-account questions in PostgreSQL, through SECURITY DEFINER
 * functions (zkeb.service_stats, zkeb.admin_list_accounts). zkeb.orphan_blobs (migration 20261201000100) is not called here: blob collection lists the blob
 * store itself, which also works for S3. The function stays while a release that calls it may still run
 * beside this one; a contract migration drops it afterwards (expand/contract).
 */
import * as A from 'fp-ts/Array'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type {
  AccountListing,
  MaintenanceQueries,
  ServiceStats,
} from '../../../application/ports/maintenance-queries'
import { AccountId, Username } from '../../../domain/ids'
import { decodeWith, Nullable, PgDate } from './row-codecs'
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

const decodeListing = decodeWith(
  t.type({
    account_id: AccountId,
    username: Username,
    created_at: PgDate,
    disabled_at: Nullable(PgDate),
    quota_limit_bytes: t.number,
    used_bytes: t.number,
  }),
  (r): AccountListing => ({
    accountId: r.account_id,
    username: r.username,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
    quotaLimitBytes: r.quota_limit_bytes,
    usedBytes: r.used_bytes,
  }),
)

export const knexMaintenanceQueries = (knex: Knex): MaintenanceQueries => ({
  stats: () =>
    pipe(
      query(() => knex.raw<{ rows: unknown[] }>('select * from zkeb.service_stats()')),
      TE.flatMapEither((result) => decodeStats(result.rows[0])),
    ),
  listAccounts: ({ after, limit }) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.admin_list_accounts(?, ?)', [
          O.toNullable(after),
          limit + 1,
        ]),
      ),
      TE.flatMapEither((result) => pipe(result.rows, A.traverse(E.Applicative)(decodeListing))),
    ),
})

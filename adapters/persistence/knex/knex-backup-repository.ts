/** Knows how to keep backup records in PostgreSQL (table zkeb.backups, row-level security per account). */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type {
  BackupQuery,
  BackupRepository,
  RewrappedKey,
} from '../../../application/ports/backup-repository'
import type { AccountTransaction } from '../../../application/ports/unit-of-work'
import { checkRotationCoverage } from '../../../domain/backup'
import { backupExists } from '../../../domain/errors'
import { AccountId, BackupId, BlobId } from '../../../domain/ids'
import { query } from '../pg-session'
import { type AccountAccess, ownTransactions } from './account-access'
import { backupRow, decodeBackup } from './backup-rows'
import { isUniqueViolation } from './pg-errors'
import { bytes, decodeAll, decodeBlobRef, decodeFirst, decodeWith } from './row-codecs'

const decodeCandidate = decodeWith(
  t.type({ account_id: AccountId, backup_id: BackupId, blob_id: BlobId }),
  (r) => ({ accountId: r.account_id, backupId: r.backup_id, blobId: r.blob_id }),
)

/** One backup by id; the hottest read, sent as written (pg-session's readAsAccount: no query builder). */
const findSql = 'select * from "zkeb"."backups" where "account_id" = ? and "backup_id" = ?'

/**
 * Newest first by (created_at, backup_id), after the cursor: keyset pagination on the partial indexes.
 * The same SQL knex's builder wrote for this query (bench/sql/list-backups.sql runs it), written out.
 */
const listQuery = (accountId: AccountId, q: BackupQuery): [string, ReadonlyArray<unknown>] => {
  const sql = ['select * from "zkeb"."backups" where "account_id" = ?']
  const bindings: Array<unknown> = [accountId]
  sql.push(q.trash ? 'and "deleted_at" is not null' : 'and "deleted_at" is null')
  if (O.isSome(q.deviceId)) {
    sql.push('and "device_id" = ?')
    bindings.push(q.deviceId.value)
  }
  if (O.isSome(q.cursor)) {
    sql.push('and (created_at, backup_id) < (?, ?)')
    bindings.push(q.cursor.value.at, q.cursor.value.id)
  }
  sql.push('order by "created_at" desc, "backup_id" desc limit ?')
  bindings.push(q.limit + 1)
  return [sql.join(' '), bindings]
}

/** Checks the coverage against the stored ids first, so a refused rotation writes nothing. */
const rewrapInTransaction = async (
  trx: Knex.Transaction,
  accountId: AccountId,
  keyVersion: number,
  wrappedKeys: ReadonlyArray<RewrappedKey>,
) => {
  const stored = await trx('zkeb.backups')
    .where({ account_id: accountId })
    .select<Array<{ backup_id: BackupId; trashed: boolean }>>(
      'backup_id',
      trx.raw('deleted_at is not null as trashed'),
    )
  const ids = (trashed: boolean) => stored.filter((b) => b.trashed === trashed).map((b) => b.backup_id)
  const coverage = checkRotationCoverage(
    ids(false),
    ids(true),
    wrappedKeys.map((w) => w.backupId),
  )
  if (E.isLeft(coverage)) return coverage
  await trx.raw(
    `update zkeb.backups b set wrapped_key = v.wrapped_key, key_version = ?
     from unnest(?::uuid[], ?::bytea[]) as v(backup_id, wrapped_key)
     where b.account_id = ? and b.backup_id = v.backup_id`,
    [keyVersion, wrappedKeys.map((w) => w.backupId), wrappedKeys.map((w) => bytes(w.wrappedKey)), accountId],
  )
  return E.right(undefined)
}

/** The account-scoped part, over either way of reaching PostgreSQL (account-access.ts). */
export const backupsIn = (access: AccountAccess): AccountTransaction['backups'] => ({
  find: (accountId, backupId) =>
    pipe(access.read(accountId, findSql, [accountId, backupId]), TE.flatMapEither(decodeFirst(decodeBackup))),
  findMany: (accountId, backupIds) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.backups')
          .where({ account_id: accountId })
          .whereIn('backup_id', [...backupIds])
          .select('*'),
      ),
      TE.flatMapEither(decodeAll(decodeBackup)),
    ),
  list: (accountId, q) =>
    pipe(access.read(accountId, ...listQuery(accountId, q)), TE.flatMapEither(decodeAll(decodeBackup))),
  /** A race lost on the primary key (another insert of the same id) is BackupExists. */
  insert: (backup) =>
    pipe(
      access.run(backup.accountId, (trx) => trx('zkeb.backups').insert(backupRow(backup))),
      TE.mapError((failure) =>
        isUniqueViolation('backups_pkey')(failure) ? backupExists(backup.backupId) : failure,
      ),
      TE.asUnit,
    ),
  setDeletedAt: (accountId, backupId, deletedAt) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.backups')
          .where({ account_id: accountId, backup_id: backupId })
          .update({ deleted_at: O.toNullable(deletedAt) }),
      ),
      TE.asUnit,
    ),
  rewrapKeys: (accountId, keyVersion, wrappedKeys) =>
    pipe(
      access.run(accountId, (trx) => rewrapInTransaction(trx, accountId, keyVersion, wrappedKeys)),
      TE.flatMapEither((result) => result),
    ),
  remove: (accountId, backupId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.backups').where({ account_id: accountId, backup_id: backupId }).delete(),
      ),
      TE.asUnit,
    ),
})

export const knexBackupRepository = (knex: Knex): BackupRepository => ({
  ...backupsIn(ownTransactions(knex)),
  /** Across accounts, so through a SECURITY DEFINER function that returns ids only. */
  dueForPurge: (cutoff, limit) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.backups_due_for_purge(?, ?)', [cutoff, limit]),
      ),
      TE.flatMapEither((result) => decodeAll(decodeCandidate)(result.rows)),
    ),
  referencedBlobs: (blobs) =>
    blobs.length === 0
      ? TE.right([])
      : pipe(
          query(() =>
            knex.raw<{ rows: unknown[] }>('select * from zkeb.referenced_blobs(?::uuid[], ?::uuid[])', [
              blobs.map((b) => b.accountId),
              blobs.map((b) => b.blobId),
            ]),
          ),
          TE.flatMapEither((result) => decodeAll(decodeBlobRef)(result.rows)),
        ),
})

/** Knows how to keep backup records in PostgreSQL (table zkeb.backups, row-level security per account). */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type {
  BackupQuery,
  BackupRepository,
  KeyRotation,
  UploadPrecheck,
  UploadRecords,
  UploadTarget,
} from '../../../application/ports/backup-repository'
import type { AuditEvent } from '../../../domain/audit'
import { type Backup, checkRotationCoverage } from '../../../domain/backup'
import {
  type BackupExists,
  backupExists,
  type QuotaExceeded,
  quotaExceeded,
  type RotationIncomplete,
  type RotationUnknownBackups,
  type VersionMismatch,
  versionMismatch,
} from '../../../domain/errors'
import { AccountId, BackupId, BlobId } from '../../../domain/ids'
import { isUniqueViolation } from './pg-errors'
import { appendToLockedChain } from './knex-audit-repository'
import {
  bytes,
  decodeAccount,
  decodeAll,
  decodeBackup,
  decodeBlobRef,
  decodeDevice,
  decodeWith,
} from './row-codecs'
import { query, readAsAccount, withAccount } from '../pg-session'

const toRow = (b: Backup) => ({
  account_id: b.accountId,
  backup_id: b.backupId,
  device_id: b.deviceId,
  parent_id: O.toNullable(b.parentId),
  blob_id: b.blobId,
  size_bytes: b.sizeBytes,
  sha256: b.sha256,
  encrypted_metadata: bytes(b.encryptedMetadata),
  wrapped_key: bytes(b.wrappedKey),
  signature: bytes(b.signature),
  key_version: b.keyVersion,
  created_at: b.createdAt,
  deleted_at: O.toNullable(b.deletedAt),
})

const decodeCandidate = decodeWith(
  t.type({ account_id: AccountId, backup_id: BackupId, blob_id: BlobId }),
  (r) => ({ accountId: r.account_id, backupId: r.backup_id, blobId: r.blob_id }),
)

/** One backup by id; the hottest read, sent as written (scoped-read.ts: no query builder per request). */
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

/**
 * Every stored byte the account owns: backups (live and trashed) and restic objects alike. Backups come from
 * the counter the trigger keeps on zkeb.accounts (O(1)); rows the backfill has not reached yet (NULL, between
 * the expand migration and the end of the backfill) are summed instead. Restic objects are summed.
 */
const usedBytesSql = `coalesce(a.used_bytes, (select coalesce(sum(size_bytes), 0) from zkeb.backups b
              where b.account_id = a.account_id))
          + (select coalesce(sum(size_bytes), 0) from zkeb.restic_objects r where r.account_id = a.account_id)`

const usedBytes = async (trx: Knex.Transaction, accountId: AccountId): Promise<number> => {
  const { rows } = await trx.raw<{ rows: Array<{ used: number | string }> }>(
    `select ${usedBytesSql}
          as used
       from zkeb.accounts a where a.account_id = ?`,
    [accountId],
  )
  return Number(rows[0]?.used ?? 0)
}

/**
 * Bytes reserved by the account's open resumable uploads, except the one becoming `except` (whose own
 * reservation that commit turns into stored bytes): taken space for every quota check, so nothing else can
 * take what a resumable upload was promised.
 */
const reservedBytes = async (trx: Knex.Transaction, accountId: AccountId, except?: BackupId) => {
  const rows = trx('zkeb.upload_sessions').where({ account_id: accountId })
  if (except !== undefined) rows.whereNot({ backup_id: except })
  const [row] = await rows.sum<Array<{ reserved: string | number | null }>>({ reserved: 'length_bytes' })
  return Number(row?.reserved ?? 0)
}

/** Serialises quota checks and rotations of one account; NO KEY UPDATE lets child-row inserts proceed. */
const lockAccount = async (trx: Knex.Transaction, accountId: AccountId): Promise<number | undefined> => {
  const [row] = await trx('zkeb.accounts')
    .where({ account_id: accountId })
    .forNoKeyUpdate()
    .select<Array<{ key_bundle_version: number }>>('key_bundle_version')
  return row?.key_bundle_version
}

const accountGone = () => unavailable('postgres')(new Error('account not found'))

/** Inserts the backup under the account lock if the id is free and the quota allows; Left changes nothing. */
const commitInTransaction = async (
  trx: Knex.Transaction,
  backup: Backup,
  limitBytes: number,
): Promise<E.Either<Unavailable | BackupExists | QuotaExceeded, void>> => {
  if ((await lockAccount(trx, backup.accountId)) === undefined) return E.left(accountGone())
  const taken = await trx('zkeb.backups')
    .where({ account_id: backup.accountId, backup_id: backup.backupId })
    .select<Array<{ backup_id: string }>>('backup_id')
  if (taken.length > 0) return E.left(backupExists(backup.backupId))
  const used =
    (await usedBytes(trx, backup.accountId)) + (await reservedBytes(trx, backup.accountId, backup.backupId))
  if (used + backup.sizeBytes > limitBytes) return E.left(quotaExceeded(limitBytes, used))
  await trx('zkeb.backups').insert(toRow(backup))
  return E.right(undefined)
}

/** A race lost on the primary key (another commit of the same id between check and insert) is BackupExists. */
const committing = <A>(backup: Backup, work: TE.TaskEither<Unavailable, E.Either<CommitError, A>>) =>
  pipe(
    work,
    TE.mapError((failure) =>
      isUniqueViolation('backups_pkey')(failure) ? backupExists(backup.backupId) : failure,
    ),
    TE.flatMapEither((result): E.Either<CommitError, A> => result),
  )

type CommitError = Unavailable | BackupExists | QuotaExceeded

const commit = (knex: Knex) => (backup: Backup, limitBytes: number) =>
  committing(
    backup,
    withAccount(knex, backup.accountId)((trx) => commitInTransaction(trx, backup, limitBytes)),
  )

/**
 * The commit, the device's last-seen time and the audit event in one transaction (one fsynced commit instead
 * of three): the event is linked under the account lock the commit already holds. A refused commit writes none.
 */
const commitUpload = (knex: Knex) => (backup: Backup, limitBytes: number, records: UploadRecords) =>
  committing(
    backup,
    withAccount(
      knex,
      backup.accountId,
    )(async (trx): Promise<E.Either<CommitError, AuditEvent>> => {
      const committed = await commitInTransaction(trx, backup, limitBytes)
      if (E.isLeft(committed)) return committed
      await trx('zkeb.devices')
        .where({ account_id: backup.accountId, device_id: backup.deviceId })
        .update({ last_seen_at: records.at })
      return E.right(await appendToLockedChain(trx, records.event, records.at))
    }),
  )

/**
 * One transaction, three statements: the device, the backups under the upload's id and its parent's (one
 * query), and the account with its used bytes (one query).
 */
const precheckUpload = (knex: Knex) => (accountId: AccountId, target: UploadTarget) =>
  pipe(
    withAccount(
      knex,
      accountId,
    )(async (trx) => {
      const devices = await trx('zkeb.devices')
        .where({ account_id: accountId, device_id: target.deviceId })
        .select('*')
      const ids = O.isSome(target.parentId) ? [target.backupId, target.parentId.value] : [target.backupId]
      const backups = await trx('zkeb.backups')
        .where({ account_id: accountId })
        .whereIn('backup_id', ids)
        .select('*')
      const { rows: accounts } = await trx.raw<{ rows: Array<{ used_total: number | string }> }>(
        `select a.*, ${usedBytesSql}
            as used_total
         from zkeb.accounts a where a.account_id = ?`,
        [accountId],
      )
      return { devices, backups, accounts }
    }),
    TE.flatMapEither(({ devices, backups, accounts }) =>
      pipe(
        E.Do,
        E.apS('device', optional(decodeDevice)(devices[0])),
        E.apS('account', optional(decodeAccount)(accounts[0])),
        E.apS('stored', decodeAll(decodeBackup)(backups)),
        E.map(({ device, account, stored }): UploadPrecheck => {
          const find = (backupId: BackupId) => O.fromNullable(stored.find((b) => b.backupId === backupId))
          return {
            device,
            account,
            existing: find(target.backupId),
            parentFound: O.isNone(target.parentId) || O.isSome(find(target.parentId.value)),
            usedBytes: Number(accounts[0]?.used_total ?? 0),
          }
        }),
      ),
    ),
  )

const optional =
  <A>(decode: (row: unknown) => E.Either<Unavailable, A>) =>
  (row: unknown): E.Either<Unavailable, O.Option<A>> =>
    row === undefined ? E.right(O.none) : pipe(decode(row), E.map(O.some))

const rotateKeys = (knex: Knex) => (accountId: AccountId, rotation: KeyRotation) =>
  pipe(
    withAccount(
      knex,
      accountId,
    )(
      async (
        trx,
      ): Promise<
        E.Either<Unavailable | VersionMismatch | RotationIncomplete | RotationUnknownBackups, number>
      > => {
        const version = await lockAccount(trx, accountId)
        if (version === undefined) return E.left(accountGone())
        if (version !== rotation.expectedVersion) return E.left(versionMismatch(version))
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
          rotation.wrappedKeys.map((w) => w.backupId),
        )
        if (E.isLeft(coverage)) return coverage
        await trx('zkeb.accounts')
          .where({ account_id: accountId })
          .update({
            password_wrapped_umk: bytes(rotation.keyBundle.passwordWrappedUmk),
            recovery_wrapped_umk: bytes(rotation.keyBundle.recoveryWrappedUmk),
            key_bundle_version: version + 1,
          })
        await trx.raw(
          `update zkeb.backups b set wrapped_key = v.wrapped_key, key_version = ?
         from unnest(?::uuid[], ?::bytea[]) as v(backup_id, wrapped_key)
         where b.account_id = ? and b.backup_id = v.backup_id`,
          [
            version + 1,
            rotation.wrappedKeys.map((w) => w.backupId),
            rotation.wrappedKeys.map((w) => bytes(w.wrappedKey)),
            accountId,
          ],
        )
        return E.right(version + 1)
      },
    ),
    TE.flatMapEither((result) => result),
  )

export { usedBytes as accountUsedBytes, lockAccount, reservedBytes as accountReservedBytes }

export const knexBackupRepository = (knex: Knex): BackupRepository => ({
  find: (accountId, backupId) =>
    pipe(
      readAsAccount(knex, accountId, findSql, [accountId, backupId]),
      TE.flatMapEither((rows) =>
        rows[0] === undefined ? E.right(O.none) : pipe(decodeBackup(rows[0]), E.map(O.some)),
      ),
    ),
  list: (accountId, q) =>
    pipe(
      readAsAccount(knex, accountId, ...listQuery(accountId, q)),
      TE.flatMapEither(decodeAll(decodeBackup)),
    ),
  usedBytes: (accountId) => withAccount(knex, accountId)((trx) => usedBytes(trx, accountId)),
  commit: commit(knex),
  precheckUpload: precheckUpload(knex),
  commitUpload: commitUpload(knex),
  setDeletedAt: (accountId, backupId, deletedAt) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) =>
        trx('zkeb.backups')
          .where({ account_id: accountId, backup_id: backupId })
          .update({ deleted_at: O.toNullable(deletedAt) }),
      ),
      TE.map(() => undefined),
    ),
  rotateKeys: rotateKeys(knex),
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
  remove: (accountId, backupId) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) => trx('zkeb.backups').where({ account_id: accountId, backup_id: backupId }).delete()),
      TE.map(() => undefined),
    ),
})

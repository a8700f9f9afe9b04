/**
 * Knows how to read an account's quota standing in PostgreSQL, inside a UnitOfWork transaction: the account
 * row's lock (FOR NO KEY UPDATE, so inserts of child rows that reference it proceed), the bytes it stores and
 * the bytes its open resumable uploads reserve.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import type { QuotaLedger } from '../../../application/ports/quota-ledger'
import type { AccountId, BackupId } from '../../../domain/ids'
import type { AccountAccess } from './account-access'
import { decodeAccount, decodeFirst } from './row-codecs'

/**
 * Every stored byte the account owns: backups (live and trashed), restic objects and indexed snapshot objects
 * (each id once: the index holds an id once). Backups come from the counter the trigger keeps on zkeb.accounts
 * (O(1)); rows the backfill has not reached yet (NULL, between the expand migration and the end of the
 * backfill) are summed instead. Restic and snapshot objects are summed.
 */
const usedBytesSql = `coalesce(a.used_bytes, (select coalesce(sum(size_bytes), 0) from zkeb.backups b
              where b.account_id = a.account_id))
          + (select coalesce(sum(size_bytes), 0) from zkeb.restic_objects r where r.account_id = a.account_id)
          + (select coalesce(sum(length_bytes), 0) from zkeb.snapshot_objects s where s.account_id = a.account_id)`

const usedBytes = async (trx: Knex.Transaction, accountId: AccountId): Promise<number> => {
  const { rows } = await trx.raw<{ rows: Array<{ used: number | string }> }>(
    `select ${usedBytesSql}
          as used
       from zkeb.accounts a where a.account_id = ?`,
    [accountId],
  )
  return Number(rows[0]?.used ?? 0)
}

/** Bytes reserved by the account's open resumable uploads, except the one becoming `except`. */
const reservedBytes = async (trx: Knex.Transaction, accountId: AccountId, except?: BackupId) => {
  const rows = trx('zkeb.upload_sessions').where({ account_id: accountId })
  if (except !== undefined) rows.whereNot({ backup_id: except })
  const [row] = await rows.sum<Array<{ reserved: string | number | null }>>({ reserved: 'length_bytes' })
  return Number(row?.reserved ?? 0)
}

export const quotaLedgerIn = (access: AccountAccess): QuotaLedger => ({
  lock: (accountId) =>
    pipe(
      access.run(accountId, async (trx, lock) => {
        const rows: ReadonlyArray<unknown> = await trx('zkeb.accounts')
          .where({ account_id: accountId })
          .forNoKeyUpdate()
          .select('*')
        if (rows.length > 0) lock.held = true
        return rows
      }),
      TE.flatMapEither(decodeFirst(decodeAccount)),
    ),
  /** One statement: the account row and its stored bytes. */
  standing: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw<{ rows: Array<{ used_total: number | string }> }>(
          `select a.*, ${usedBytesSql}
            as used_total
         from zkeb.accounts a where a.account_id = ?`,
          [accountId],
        ),
      ),
      TE.flatMapEither(({ rows }) =>
        pipe(
          decodeFirst(decodeAccount)(rows),
          E.map(O.map((account) => ({ account, usedBytes: Number(rows[0]?.used_total ?? 0) }))),
        ),
      ),
    ),
  usage: (accountId, except) =>
    access.run(accountId, async (trx) => ({
      usedBytes: await usedBytes(trx, accountId),
      reservedBytes: await reservedBytes(trx, accountId, except),
    })),
})

/**
 * Every stored row of the database, read as the schema owner (a superuser in tests, so row-level security
 * does not hide anything), for "nothing changed" checks around rejected requests.
 */
import type { Knex } from 'knex'

const tables = ['accounts', 'devices', 'backups', 'audit_events', 'blobs', 'blob_chunks'] as const

export type Snapshot = Readonly<Record<(typeof tables)[number], string>>

const orderOf: Record<(typeof tables)[number], string> = {
  accounts: 'account_id',
  devices: 'device_id',
  backups: 'account_id, backup_id',
  audit_events: 'account_id, seq',
  blobs: 'account_id, blob_id',
  blob_chunks: 'account_id, blob_id, seq',
}

/** Each table's rows as one JSON string, optionally only those of `accountId`. */
export const snapshot = async (owner: Knex, accountId?: string): Promise<Snapshot> => {
  const entries = await Promise.all(
    tables.map(async (table) => {
      const where = accountId === undefined ? '' : 'where account_id = ?'
      const { rows } = await owner.raw<{ rows: unknown[] }>(
        `select * from zkeb.${table} ${where} order by ${orderOf[table]}`,
        accountId === undefined ? [] : [accountId],
      )
      return [table, JSON.stringify(rows)] as const
    }),
  )
  return Object.fromEntries(entries) as Snapshot
}

/**
 * CONTRACT (phase 3 of 3): `accounts.used_bytes` becomes NOT NULL and never negative, once the backfill has
 * counted every account. It waits (migrateLatest stops before it, `migrate status` says why) while a NULL
 * remains, so a deploy never fails on it and never locks the table to scan in one go.
 * Each step is its own short transaction with a lock timeout: the CHECK is added NOT VALID (instant), then
 * VALIDATEd (scans under a lock that lets reads and writes go on), and SET NOT NULL reuses that proof
 * (PostgreSQL 12+) instead of scanning under an exclusive lock.
 */
import type { Knex } from 'knex'

export const config = { transaction: false }

const steps = [
  'alter table zkeb.accounts add constraint accounts_used_bytes_not_null check (used_bytes is not null) not valid',
  'alter table zkeb.accounts validate constraint accounts_used_bytes_not_null',
  'alter table zkeb.accounts alter column used_bytes set not null',
  'alter table zkeb.accounts drop constraint accounts_used_bytes_not_null',
  'alter table zkeb.accounts add constraint accounts_used_bytes_non_negative check (used_bytes >= 0) not valid',
  'alter table zkeb.accounts validate constraint accounts_used_bytes_non_negative',
  "update zkeb.backfill_jobs set state = 'done', finished_at = coalesce(finished_at, now()) where name = 'accounts-used-bytes'",
]

const inShortTransaction = (knex: Knex, statement: string) =>
  knex.transaction(async (trx) => {
    await trx.raw("set local lock_timeout = '5s'")
    await trx.raw(statement)
  })

/** Why this migration cannot run yet, or null when it can. */
export const waitingFor = async (knex: Knex): Promise<string | null> => {
  const result = await knex.raw<{ rows: Array<{ uncounted: boolean }> }>(
    'select exists (select from zkeb.accounts where used_bytes is null) as uncounted',
  )
  return result.rows[0]?.uncounted === true
    ? 'backfill accounts-used-bytes has not counted every account'
    : null
}

export const up = async (knex: Knex): Promise<void> => {
  for (const statement of steps) await inShortTransaction(knex, statement)
}

export const down = async (knex: Knex): Promise<void> => {
  await inShortTransaction(knex, 'alter table zkeb.accounts drop constraint accounts_used_bytes_non_negative')
  await inShortTransaction(knex, 'alter table zkeb.accounts alter column used_bytes drop not null')
}

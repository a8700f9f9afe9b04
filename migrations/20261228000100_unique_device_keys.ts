/**
 * One device per Ed25519 public key within an account: a unique index on (account_id, public_key, key_rank).
 * Per account, not across accounts: the same key in another account forges nothing there (an upload is checked
 * against the uploading account's own devices), while a global index would tell an account whether a key is
 * registered elsewhere and let anyone who saw a key squat it first.
 *
 * Databases may already hold duplicates, and the migration must not fail on them nor drop anyone's device:
 * `key_rank` numbers the copies of a key within an account by age (the oldest keeps 0, the default every new
 * device gets), so existing rows are all distinct and any new repeat of a key collides with its rank-0 row.
 * Revoked devices keep their key: a revoked key cannot come back as a new device.
 *
 * Expand only, and lock-light: the column has a constant default (no rewrite), the ranking writes only the
 * duplicate rows (as the owner, through a policy that lives for that one transaction: row-level security is
 * forced on the owner too), and the index is built CONCURRENTLY, so devices stay writable. The previous release
 * never names the column. If it inserts a repeat of a key while the index builds, the build fails and leaves
 * an invalid index: rerunning the migration drops it, ranks again and builds again.
 */
import type { Knex } from 'knex'

export const config = { transaction: false }

const index = 'devices_key_per_account'

const rankCopies = `
  set local lock_timeout = '5s';
  alter table zkeb.devices add column if not exists key_rank bigint not null default 0;
  create policy devices_rank_key_copies on zkeb.devices for update to current_user using (true) with check (true);
  update zkeb.devices d set key_rank = r.rank
    from (
      select device_id,
        (row_number() over (partition by account_id, public_key order by created_at, device_id) - 1)::bigint
          as rank
      from zkeb.devices
    ) r
    where d.device_id = r.device_id and d.key_rank <> r.rank;
  drop policy devices_rank_key_copies on zkeb.devices;
`

type Client = {
  acquireConnection: () => Promise<unknown>
  releaseConnection: (connection: unknown) => Promise<void>
}

/** CONCURRENTLY refuses a transaction block, so the lock timeout is a session setting on one held connection. */
const concurrently = async (knex: Knex, statement: string): Promise<void> => {
  const client = knex.client as Client
  const connection = await client.acquireConnection()
  try {
    await knex.raw("set lock_timeout = '5s'").connection(connection)
    await knex.raw(statement).connection(connection)
  } finally {
    await knex.raw('reset lock_timeout').connection(connection)
    await client.releaseConnection(connection)
  }
}

/** An index an earlier, interrupted run left invalid (IF NOT EXISTS would keep it as it is). */
const invalidIndexLeft = async (knex: Knex): Promise<boolean> => {
  const found = await knex.raw<{ rows: Array<{ valid: boolean }> }>(
    `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
     join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'zkeb' and c.relname = '${index}'`,
  )
  return found.rows.some((row) => !row.valid)
}

export const up = async (knex: Knex): Promise<void> => {
  if (await invalidIndexLeft(knex))
    await concurrently(knex, `drop index concurrently if exists zkeb.${index}`)
  await knex.transaction((trx) => trx.raw(rankCopies))
  await concurrently(
    knex,
    `create unique index concurrently if not exists ${index} on zkeb.devices (account_id, public_key, key_rank)`,
  )
}

export const down = async (knex: Knex): Promise<void> => {
  await concurrently(knex, `drop index concurrently if exists zkeb.${index}`)
  await knex.transaction((trx) =>
    trx.raw(`set local lock_timeout = '5s'; alter table zkeb.devices drop column key_rank;`),
  )
}

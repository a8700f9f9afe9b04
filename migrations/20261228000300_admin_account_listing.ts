/**
 * What `zkeb-admin account list` reads across accounts: a SECURITY DEFINER function (owner's rights, fixed
 * search_path, EXECUTE for zkeb_app only) returning each account's id, username, dates, quota and used bytes
 * (as the quota counts them: backups and restic objects), never its OPAQUE record or keys; a page in byte order
 * of the lower-case username, after a given one. An index on that order, built CONCURRENTLY outside a
 * transaction so accounts stay writable, keeps each page a short index scan. Expand only: the previous release
 * never calls the function.
 */
import type { Knex } from 'knex'

export const config = { transaction: false }

const functions = `
  set local lock_timeout = '5s';

  create function zkeb.admin_list_accounts(p_after text, p_limit integer)
    returns table (account_id uuid, username text, created_at timestamptz, disabled_at timestamptz,
                   quota_limit_bytes bigint, used_bytes bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select a.account_id, a.username, a.created_at, a.disabled_at, a.quota_limit_bytes,
             (coalesce(a.used_bytes, (select coalesce(sum(b.size_bytes), 0) from zkeb.backups b
                                       where b.account_id = a.account_id))
              + (select coalesce(sum(r.size_bytes), 0) from zkeb.restic_objects r
                 where r.account_id = a.account_id))::bigint
      from zkeb.accounts a
      where lower(a.username) collate "C" > coalesce(lower(p_after), '') collate "C"
      order by lower(a.username) collate "C"
      limit p_limit
    $$;

  revoke all on function zkeb.admin_list_accounts(text, integer) from public;
  grant execute on function zkeb.admin_list_accounts(text, integer) to zkeb_app;
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

export const up = async (knex: Knex): Promise<void> => {
  await concurrently(
    knex,
    'create index concurrently if not exists accounts_by_username_bytes on zkeb.accounts ((lower(username) collate "C"))',
  )
  await knex.transaction((trx) => trx.raw(functions))
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.transaction((trx) => trx.raw('drop function zkeb.admin_list_accounts(text, integer)'))
  await concurrently(knex, 'drop index concurrently if exists zkeb.accounts_by_username_bytes')
}

/**
 * What `zkeb-admin stats` and `zkeb-admin gc-blobs` read across accounts: two SECURITY DEFINER functions
 * (owner's rights, fixed search_path, EXECUTE for zkeb_app only) that return counts and ids, never content.
 * The index that lets the orphan search find a blob's backups is built CONCURRENTLY, outside a transaction,
 * so backups stay writable while it builds.
 */
import type { Knex } from 'knex'

export const config = { transaction: false }

const functions = `
  set local lock_timeout = '5s';
  create policy blobs_definer_report on zkeb.blobs for select to current_user using (true);

  create function zkeb.service_stats()
    returns table (accounts bigint, disabled_accounts bigint, live_backups bigint, trashed_backups bigint,
                   backup_bytes bigint, blobs bigint, blob_bytes bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select (select count(*) from zkeb.accounts),
             (select count(*) from zkeb.accounts where disabled_at is not null),
             (select count(*) from zkeb.backups where deleted_at is null),
             (select count(*) from zkeb.backups where deleted_at is not null),
             (select coalesce(sum(size_bytes), 0)::bigint from zkeb.backups),
             (select count(*) from zkeb.blobs),
             (select coalesce(sum(size_bytes), 0)::bigint from zkeb.blobs)
    $$;

  create function zkeb.orphan_blobs(p_created_before timestamptz, p_limit integer)
    returns table (account_id uuid, blob_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select bl.account_id, bl.blob_id from zkeb.blobs bl
      where bl.created_at < p_created_before
        and not exists (select from zkeb.backups b where b.account_id = bl.account_id and b.blob_id = bl.blob_id)
      order by bl.created_at, bl.account_id, bl.blob_id
      limit p_limit
    $$;

  revoke all on function zkeb.service_stats() from public;
  revoke all on function zkeb.orphan_blobs(timestamptz, integer) from public;
  grant execute on function zkeb.service_stats() to zkeb_app;
  grant execute on function zkeb.orphan_blobs(timestamptz, integer) to zkeb_app;
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
    'create index concurrently if not exists backups_by_blob on zkeb.backups (account_id, blob_id)',
  )
  await knex.transaction((trx) => trx.raw(functions))
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.transaction((trx) =>
    trx.raw(`
      drop function zkeb.orphan_blobs(timestamptz, integer);
      drop function zkeb.service_stats();
      drop policy blobs_definer_report on zkeb.blobs;
    `),
  )
  await concurrently(knex, 'drop index concurrently if exists zkeb.backups_by_blob')
}

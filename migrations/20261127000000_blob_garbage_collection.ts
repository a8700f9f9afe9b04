/**
 * Garbage collection of blobs no backup names. Both reads cross accounts, so (like the trash purge) they are
 * SECURITY DEFINER functions with a fixed search_path, behind a SELECT-only policy for the owning role. They
 * return ids only, never content. The index on backups (account_id, blob_id) that referenced_blobs needs is
 * built CONCURRENTLY by 20261201000100_admin_reports, so backups stay writable while it builds.
 */
import type { Knex } from 'knex'

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    set local lock_timeout = '5s';
    create policy blobs_definer_gc on zkeb.blobs for select to current_user using (true);

    create function zkeb.blobs_written_before(
      p_cutoff timestamptz, p_after_account uuid, p_after_blob uuid, p_limit integer
    ) returns table (account_id uuid, blob_id uuid)
      language sql stable security definer set search_path = pg_catalog, pg_temp
      as $$
        select b.account_id, b.blob_id from zkeb.blobs b
        where b.created_at <= p_cutoff
          and (p_after_account is null or (b.account_id, b.blob_id) > (p_after_account, p_after_blob))
        order by b.account_id, b.blob_id
        limit p_limit
      $$;

    create function zkeb.referenced_blobs(p_account_ids uuid[], p_blob_ids uuid[])
      returns table (account_id uuid, blob_id uuid)
      language sql stable security definer set search_path = pg_catalog, pg_temp
      as $$
        select distinct b.account_id, b.blob_id
        from zkeb.backups b
        join unnest(p_account_ids, p_blob_ids) as c(account_id, blob_id)
          on b.account_id = c.account_id and b.blob_id = c.blob_id
      $$;

    revoke all on function zkeb.blobs_written_before(timestamptz, uuid, uuid, integer) from public;
    revoke all on function zkeb.referenced_blobs(uuid[], uuid[]) from public;
    grant execute on function zkeb.blobs_written_before(timestamptz, uuid, uuid, integer) to zkeb_app;
    grant execute on function zkeb.referenced_blobs(uuid[], uuid[]) to zkeb_app;
  `)
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    drop function zkeb.referenced_blobs(uuid[], uuid[]);
    drop function zkeb.blobs_written_before(timestamptz, uuid, uuid, integer);
    drop policy blobs_definer_gc on zkeb.blobs;
  `)
}

/**
 * Storage totals for operators' gauges (quota usage, trash, garbage-collection backlog): one SECURITY
 * DEFINER function returning sums across accounts, never one account's row, so `zkeb_app` can read the
 * dashboard figures without a way around row-level security. Usage and blob references count restic objects
 * as well as backups, as the quota and the blob collector do.
 */
import type { Knex } from 'knex'

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    set local lock_timeout = '5s';
    create policy blobs_definer_totals on zkeb.blobs for select to current_user using (true);

    create function zkeb.storage_totals(p_purge_cutoff timestamptz, p_orphan_before timestamptz)
      returns table (
        accounts bigint, quota_bytes bigint, used_bytes bigint, accounts_near_quota bigint,
        trash_backups bigint, trash_bytes bigint, purge_backlog_backups bigint,
        orphan_blobs bigint, orphan_blob_bytes bigint
      )
      language sql stable security definer set search_path = pg_catalog, pg_temp
      as $$
        with usage as (
          select a.quota_limit_bytes as quota,
                 (select coalesce(sum(b.size_bytes), 0) from zkeb.backups b where b.account_id = a.account_id)
                 + (select coalesce(sum(o.size_bytes), 0) from zkeb.restic_objects o
                    where o.account_id = a.account_id) as used
          from zkeb.accounts a
        ),
        trash as (select size_bytes, deleted_at from zkeb.backups where deleted_at is not null),
        orphans as (
          select bl.size_bytes from zkeb.blobs bl
          where bl.created_at < p_orphan_before
            and not exists (
              select from zkeb.backups b where b.account_id = bl.account_id and b.blob_id = bl.blob_id
            )
            and not exists (
              select from zkeb.restic_objects o where o.account_id = bl.account_id and o.blob_id = bl.blob_id
            )
        )
        select
          (select count(*) from usage),
          (select coalesce(sum(quota), 0)::bigint from usage),
          (select coalesce(sum(used), 0)::bigint from usage),
          (select count(*) from usage where quota > 0 and used >= 0.9 * quota),
          (select count(*) from trash),
          (select coalesce(sum(size_bytes), 0)::bigint from trash),
          (select count(*) from trash where deleted_at <= p_purge_cutoff),
          (select count(*) from orphans),
          (select coalesce(sum(size_bytes), 0)::bigint from orphans)
      $$;

    revoke all on function zkeb.storage_totals(timestamptz, timestamptz) from public;
    grant execute on function zkeb.storage_totals(timestamptz, timestamptz) to zkeb_app;
  `)
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    drop function zkeb.storage_totals(timestamptz, timestamptz);
    drop policy blobs_definer_totals on zkeb.blobs;
  `)
}

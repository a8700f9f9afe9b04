/**
 * What maintenance reads of snapshots across accounts, through SECURITY DEFINER functions (owner's rights, fixed
 * search_path, EXECUTE for zkeb_app only) that return ids and sums, never content:
 * - the blob collector counts a pack's blob as referenced (or it would delete live packs past its grace period);
 *   a pack blob without a pack row (a crash between the blob's write and the commit) stays an orphan for it;
 * - the storage totals count indexed objects as used bytes and pack blobs as referenced;
 * - the snapshot collector lists the accounts that hold packs, a page at a time, then works inside each
 *   account's own row-level-security scope.
 * Expand only: replaced functions keep their signatures; one new function.
 */
import type { Knex } from 'knex'

const blobReferences = (withPacks: boolean) => `
  create or replace function zkeb.referenced_blobs(p_account_ids uuid[], p_blob_ids uuid[])
    returns table (account_id uuid, blob_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select distinct r.account_id, r.blob_id
      from unnest(p_account_ids, p_blob_ids) as c(account_id, blob_id)
      join lateral (
        select b.account_id, b.blob_id from zkeb.backups b
          where b.account_id = c.account_id and b.blob_id = c.blob_id
        union all
        select o.account_id, o.blob_id from zkeb.restic_objects o
          where o.account_id = c.account_id and o.blob_id = c.blob_id
        union all
        select p.account_id, p.blob_id from zkeb.upload_parts p
          where p.account_id = c.account_id and p.blob_id = c.blob_id
        ${
          withPacks
            ? `union all
        select s.account_id, s.blob_id from zkeb.snapshot_packs s
          where s.account_id = c.account_id and s.blob_id = c.blob_id`
            : ''
        }
      ) r on true
    $$;
`

const storageTotals = (withSnapshots: boolean) => `
  create or replace function zkeb.storage_totals(p_purge_cutoff timestamptz, p_orphan_before timestamptz)
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
                  where o.account_id = a.account_id)
               ${
                 withSnapshots
                   ? `+ (select coalesce(sum(s.length_bytes), 0) from zkeb.snapshot_objects s
                  where s.account_id = a.account_id)`
                   : ''
               } as used
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
          ${
            withSnapshots
              ? `and not exists (
            select from zkeb.snapshot_packs p where p.account_id = bl.account_id and p.blob_id = bl.blob_id
          )`
              : ''
          }
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
`

const collectorListing = `
  set local lock_timeout = '5s';
  create policy snapshot_packs_definer_maintenance on zkeb.snapshot_packs for select to current_user using (true);
  create policy snapshot_objects_definer_totals on zkeb.snapshot_objects for select to current_user using (true);

  create function zkeb.snapshot_accounts(p_after uuid, p_limit integer)
    returns table (account_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select a.account_id from zkeb.accounts a
      where (p_after is null or a.account_id > p_after)
        and exists (select from zkeb.snapshot_packs p where p.account_id = a.account_id)
      order by a.account_id
      limit p_limit
    $$;
  revoke all on function zkeb.snapshot_accounts(uuid, integer) from public;
  grant execute on function zkeb.snapshot_accounts(uuid, integer) to zkeb_app;
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(collectorListing)
  await knex.raw(blobReferences(true))
  await knex.raw(storageTotals(true))
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(storageTotals(false))
  await knex.raw(blobReferences(false))
  await knex.raw(`
    set local lock_timeout = '5s';
    drop function zkeb.snapshot_accounts(uuid, integer);
    drop policy snapshot_objects_definer_totals on zkeb.snapshot_objects;
    drop policy snapshot_packs_definer_maintenance on zkeb.snapshot_packs;
  `)
}

/**
 * EXPAND (phase 1 of 3) for O(1) quota accounting, plus the admin's "disabled" flag. Only additive, lock-light
 * changes, so the release before this one keeps working against the new schema (test/compat proves it):
 * - `accounts.used_bytes`, nullable: existing rows stay NULL ("not counted yet"), new rows get the default 0
 *   (a new account owns nothing). A trigger on `backups` keeps every counted row exact from now on, whichever
 *   release inserted or deleted the backup, so old instances still running cannot make it drift.
 * - `accounts.disabled_at`, nullable: set by `zkeb-admin account disable`.
 * - `backfill_jobs`: progress of background backfills; the job filling `used_bytes` is registered here.
 * Phase 2 is the background backfill (`zkeb.backfill_accounts_used_bytes`), phase 3 the tighten migration.
 */
import type { Knex } from 'knex'

const columns = `
  set local lock_timeout = '5s';
  alter table zkeb.accounts add column if not exists used_bytes bigint;
  alter table zkeb.accounts alter column used_bytes set default 0;
  alter table zkeb.accounts add column if not exists disabled_at timestamptz;
`

/** SECURITY INVOKER: runs as zkeb_app inside the account-scoped transaction, so RLS still applies. */
const usedBytesTrigger = `
  set local lock_timeout = '5s';
  create function zkeb.track_used_bytes() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
      if tg_op = 'INSERT' then
        update zkeb.accounts set used_bytes = used_bytes + new.size_bytes where account_id = new.account_id;
      else
        update zkeb.accounts set used_bytes = used_bytes - old.size_bytes where account_id = old.account_id;
      end if;
      return null;
    end
    $$;
  create trigger backups_track_used_bytes after insert or delete on zkeb.backups
    for each row execute function zkeb.track_used_bytes();
`

/** Not account data (job names and counters only): no RLS, and zkeb_app may read and advance jobs, not add them. */
const backfillJobs = `
  create table zkeb.backfill_jobs (
    name text primary key,
    state text not null default 'pending' check (state in ('pending', 'paused', 'done')),
    cursor text,
    processed bigint not null default 0 check (processed >= 0),
    batches bigint not null default 0 check (batches >= 0),
    updated_at timestamptz not null default now(),
    finished_at timestamptz
  );
  grant select, update on zkeb.backfill_jobs to zkeb_app;
  insert into zkeb.backfill_jobs (name) values ('accounts-used-bytes');
`

/**
 * The backfill crosses accounts, so it is a SECURITY DEFINER function (the migration owner's rights, fixed
 * search_path), granted to zkeb_app. Per batch: lock the next accounts by id (the same row lock a backup commit
 * takes), then count with a fresh snapshot, so a concurrent commit lands either before (counted) or after (the
 * trigger adds it). Only NULL rows are written: rerunning a batch changes nothing.
 */
const backfillFunction = `
  create policy accounts_definer_backfill on zkeb.accounts for update to current_user using (true) with check (true);

  create function zkeb.backfill_accounts_used_bytes(p_after uuid, p_limit integer)
    returns table (last_account_id uuid, scanned integer, filled integer)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
      ids uuid[];
      n integer;
    begin
      select array_agg(s.account_id order by s.account_id) into ids from (
        select a.account_id from zkeb.accounts a
        where p_after is null or a.account_id > p_after
        order by a.account_id limit p_limit
        for no key update of a
      ) s;
      if ids is null then
        return query select null::uuid, 0, 0;
        return;
      end if;
      update zkeb.accounts a
        set used_bytes = (select coalesce(sum(b.size_bytes), 0) from zkeb.backups b where b.account_id = a.account_id)
        where a.account_id = any(ids) and a.used_bytes is null;
      get diagnostics n = row_count;
      return query select ids[array_length(ids, 1)], array_length(ids, 1), n;
    end
    $$;

  create function zkeb.backfill_accounts_used_bytes_total() returns bigint
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select count(*) from zkeb.accounts $$;

  revoke all on function zkeb.backfill_accounts_used_bytes(uuid, integer) from public;
  revoke all on function zkeb.backfill_accounts_used_bytes_total() from public;
  grant execute on function zkeb.backfill_accounts_used_bytes(uuid, integer) to zkeb_app;
  grant execute on function zkeb.backfill_accounts_used_bytes_total() to zkeb_app;
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(columns)
  await knex.raw(usedBytesTrigger)
  await knex.raw(backfillJobs)
  await knex.raw(backfillFunction)
}

/** Emergency path only: loses the counters (recomputable) and every disabled flag. */
export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    set local lock_timeout = '5s';
    drop function zkeb.backfill_accounts_used_bytes_total();
    drop function zkeb.backfill_accounts_used_bytes(uuid, integer);
    drop policy accounts_definer_backfill on zkeb.accounts;
    drop table zkeb.backfill_jobs;
    drop trigger backups_track_used_bytes on zkeb.backups;
    drop function zkeb.track_used_bytes();
    alter table zkeb.accounts drop column disabled_at;
    alter table zkeb.accounts drop column used_bytes;
  `)
}

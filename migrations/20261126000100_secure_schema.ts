/**
 * SECURITY: the application connects as `zkeb_app`, which owns nothing, cannot bypass row-level security and
 * holds only the DML it needs (the audit trail is append-only). Every account-owned table enforces
 * `account_id = zkeb.account_id` (set per transaction) for every role but superusers, its owner included
 * (FORCE). The two reads that must cross that line, a login's username lookup and the trash purge, are
 * SECURITY DEFINER functions with a fixed search_path and a SELECT-only policy for the owning role.
 */
import type { Knex } from 'knex'

const accountTables = ['accounts', 'devices', 'backups', 'audit_events', 'blobs', 'blob_chunks']

/** Roles are cluster-wide: several databases (tests, blue/green) may create it at once. */
const createAppRole = `
  do $$
  begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'zkeb_app') then
      create role zkeb_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
    end if;
  exception when duplicate_object or unique_violation then null;
  end
  $$;
`

const grants = `
  grant usage on schema zkeb to zkeb_app;
  grant select, insert, update, delete on zkeb.accounts to zkeb_app;
  grant select, insert, update on zkeb.devices to zkeb_app;
  grant select, insert, update, delete on zkeb.backups to zkeb_app;
  grant select, insert on zkeb.audit_events to zkeb_app;
  grant select, insert, update, delete on zkeb.blobs, zkeb.blob_chunks to zkeb_app;
`

const isolate = (table: string): string => `
  alter table zkeb.${table} enable row level security;
  alter table zkeb.${table} force row level security;
  create policy ${table}_of_current_account on zkeb.${table}
    using (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid)
    with check (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid);
`

const definerFunctions = `
  create policy accounts_definer_lookup on zkeb.accounts for select to current_user using (true);
  create policy backups_definer_purge on zkeb.backups for select to current_user using (true);

  create function zkeb.find_account_by_username(p_username text) returns setof zkeb.accounts
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select * from zkeb.accounts where lower(username) = lower(p_username) $$;

  create function zkeb.backups_due_for_purge(p_cutoff timestamptz, p_limit integer)
    returns table (account_id uuid, backup_id uuid, blob_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select b.account_id, b.backup_id, b.blob_id from zkeb.backups b
      where b.deleted_at is not null and b.deleted_at <= p_cutoff
      order by b.deleted_at, b.account_id, b.backup_id
      limit p_limit
    $$;

  revoke all on function zkeb.find_account_by_username(text) from public;
  revoke all on function zkeb.backups_due_for_purge(timestamptz, integer) from public;
  grant execute on function zkeb.find_account_by_username(text) to zkeb_app;
  grant execute on function zkeb.backups_due_for_purge(timestamptz, integer) to zkeb_app;
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(createAppRole)
  await knex.raw(grants)
  for (const table of accountTables) await knex.raw(isolate(table))
  await knex.raw(definerFunctions)
}

/** Leaves the role: other databases of the cluster may still use it. */
export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    drop function zkeb.backups_due_for_purge(timestamptz, integer);
    drop function zkeb.find_account_by_username(text);
    drop policy accounts_definer_lookup on zkeb.accounts;
    drop policy backups_definer_purge on zkeb.backups;
  `)
  for (const table of accountTables)
    await knex.raw(`
      drop policy ${table}_of_current_account on zkeb.${table};
      alter table zkeb.${table} no force row level security;
      alter table zkeb.${table} disable row level security;
    `)
  await knex.raw(
    'revoke all on all tables in schema zkeb from zkeb_app; revoke usage on schema zkeb from zkeb_app;',
  )
}

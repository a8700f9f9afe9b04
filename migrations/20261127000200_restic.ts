/**
 * restic's REST backend: access tokens (SHA-256 digests of their secrets only) and the records of stored
 * objects, whose bytes are blobs of the blob store. Both are account-owned and isolated by row-level
 * security like every other table. A token is presented before its account is known (HTTP basic auth), so
 * one narrow SECURITY DEFINER function maps (username, digest) to the token's grant and nothing else.
 */
import type { Knex } from 'knex'

const tables = ['restic_tokens', 'restic_objects']

const schema = `
  set local lock_timeout = '5s';
  create table zkeb.restic_tokens (
    token_id uuid primary key,
    account_id uuid not null references zkeb.accounts on delete cascade,
    device_id uuid references zkeb.devices on delete cascade,
    append_only boolean not null,
    secret_sha256 text not null unique check (secret_sha256 ~ '^[0-9a-f]{64}$'),
    created_at timestamptz not null
  );
  create index restic_tokens_by_account on zkeb.restic_tokens (account_id, created_at, token_id);

  create table zkeb.restic_objects (
    account_id uuid not null references zkeb.accounts on delete cascade,
    repo text not null check (repo ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    type text not null check (type in ('config', 'data', 'keys', 'locks', 'snapshots', 'index')),
    name text not null check (
      (type = 'config' and name = 'config') or (type <> 'config' and name ~ '^[0-9a-f]{64}$')
    ),
    blob_id uuid not null,
    size_bytes bigint not null check (size_bytes >= 0),
    created_at timestamptz not null,
    primary key (account_id, repo, type, name)
  );
  create index restic_objects_by_blob on zkeb.restic_objects (account_id, blob_id);

  grant select, insert, delete on zkeb.restic_tokens, zkeb.restic_objects to zkeb_app;
`

const isolate = (table: string): string => `
  alter table zkeb.${table} enable row level security;
  alter table zkeb.${table} force row level security;
  create policy ${table}_of_current_account on zkeb.${table}
    using (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid)
    with check (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid);
`

const grantLookup = `
  create policy restic_tokens_definer_lookup on zkeb.restic_tokens for select to current_user using (true);
  create policy devices_definer_lookup on zkeb.devices for select to current_user using (true);

  create function zkeb.find_restic_grant(p_username text, p_secret_sha256 text)
    returns table (token_id uuid, account_id uuid, device_id uuid, append_only boolean)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select t.token_id, t.account_id, t.device_id, t.append_only
      from zkeb.restic_tokens t
      join zkeb.accounts a on a.account_id = t.account_id
      left join zkeb.devices d on d.device_id = t.device_id
      where t.secret_sha256 = p_secret_sha256
        and lower(a.username) = lower(p_username)
        and (t.device_id is null or d.revoked_at is null)
    $$;

  revoke all on function zkeb.find_restic_grant(text, text) from public;
  grant execute on function zkeb.find_restic_grant(text, text) to zkeb_app;
`

/**
 * Blob garbage collection keeps every blob a record names: a restic object's blob is as referenced as a
 * backup's, or the collector would delete restic data once past its grace period.
 */
const referenceResticBlobs = `
  create policy restic_objects_definer_gc on zkeb.restic_objects for select to current_user using (true);
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
      ) r on true
    $$;
`

/** The collector's reference check as 20261127000000_blob_garbage_collection defined it: backups only. */
const backupsOnlyReferences = `
  create or replace function zkeb.referenced_blobs(p_account_ids uuid[], p_blob_ids uuid[])
    returns table (account_id uuid, blob_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select distinct b.account_id, b.blob_id
      from zkeb.backups b
      join unnest(p_account_ids, p_blob_ids) as c(account_id, blob_id)
        on b.account_id = c.account_id and b.blob_id = c.blob_id
    $$;
  drop policy restic_objects_definer_gc on zkeb.restic_objects;
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(schema)
  for (const table of tables) await knex.raw(isolate(table))
  await knex.raw(grantLookup)
  await knex.raw(referenceResticBlobs)
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(backupsOnlyReferences)
  await knex.raw(`
    drop function zkeb.find_restic_grant(text, text);
    drop policy devices_definer_lookup on zkeb.devices;
    drop table zkeb.restic_objects;
    drop table zkeb.restic_tokens;
  `)
}

/**
 * Resumable uploads (tus): a session per upload, holding what the finished backup will be and the length it
 * reserves against the quota, and its parts (one blob each, in order). Both are account-owned and isolated by
 * row-level security like every other table. Expired sessions are listed across accounts through one narrow
 * SECURITY DEFINER function returning ids only. Blob garbage collection counts a part's blob as referenced,
 * or it would delete the parts of a long upload still in progress.
 * Expand only: two new tables and a replaced function; the previous release never reads them.
 */
import type { Knex } from 'knex'

const tables = ['upload_sessions', 'upload_parts']

const schema = `
  set local lock_timeout = '5s';
  create table zkeb.upload_sessions (
    account_id uuid not null references zkeb.accounts on delete cascade,
    upload_id uuid not null,
    device_id uuid not null,
    backup_id uuid not null,
    parent_id uuid,
    length_bytes bigint not null check (length_bytes >= 0),
    offset_bytes bigint not null check (offset_bytes >= 0 and offset_bytes <= length_bytes),
    content_sha256 text not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
    signature bytea not null,
    wrapped_key bytea not null,
    encrypted_metadata bytea not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    primary key (account_id, upload_id)
  );
  create index upload_sessions_by_expiry on zkeb.upload_sessions (expires_at);

  create table zkeb.upload_parts (
    account_id uuid not null,
    upload_id uuid not null,
    part_no bigint not null check (part_no >= 0),
    blob_id uuid not null,
    size_bytes bigint not null check (size_bytes >= 0),
    primary key (account_id, upload_id, part_no),
    foreign key (account_id, upload_id) references zkeb.upload_sessions on delete cascade
  );
  create index upload_parts_by_blob on zkeb.upload_parts (account_id, blob_id);

  grant select, insert, update, delete on zkeb.upload_sessions, zkeb.upload_parts to zkeb_app;
`

const isolate = (table: string): string => `
  alter table zkeb.${table} enable row level security;
  alter table zkeb.${table} force row level security;
  create policy ${table}_of_current_account on zkeb.${table}
    using (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid)
    with check (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid);
`

const maintenance = `
  create policy upload_sessions_definer_expiry on zkeb.upload_sessions for select to current_user using (true);
  create policy upload_parts_definer_gc on zkeb.upload_parts for select to current_user using (true);

  create function zkeb.expired_upload_sessions(p_cutoff timestamptz, p_limit integer)
    returns table (account_id uuid, upload_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select s.account_id, s.upload_id from zkeb.upload_sessions s
      where s.expires_at <= p_cutoff
      order by s.expires_at, s.account_id, s.upload_id
      limit p_limit
    $$;
  revoke all on function zkeb.expired_upload_sessions(timestamptz, integer) from public;
  grant execute on function zkeb.expired_upload_sessions(timestamptz, integer) to zkeb_app;

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
      ) r on true
    $$;
`

/** The reference check as 20261127000200_restic left it: backups and restic objects. */
const withoutParts = `
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

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(schema)
  for (const table of tables) await knex.raw(isolate(table))
  await knex.raw(maintenance)
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(withoutParts)
  await knex.raw(`
    drop function zkeb.expired_upload_sessions(timestamptz, integer);
    drop table zkeb.upload_parts;
    drop table zkeb.upload_sessions;
  `)
}

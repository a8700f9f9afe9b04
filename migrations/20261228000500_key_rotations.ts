/**
 * Staged key rotations: at most one per account (the new key bundle and the version it replaces),
 * and the re-wrapped data keys uploaded for it, page by page, until the commit moves them into zkeb.backups in
 * one transaction. Both tables are account-owned and isolated by row-level security like the others; both
 * cascade from the account, and the keys from their rotation, so an abort or a new rotation drops the keys in
 * one statement.
 * SECURITY: the same kinds of ciphertext the account already stores (wrapped UMKs, wrapped data keys) and ids.
 * Expand only: two new tables the previous release never reads.
 */
import type { Knex } from 'knex'

const tables = ['key_rotations', 'key_rotation_keys']

const create = `
  set local lock_timeout = '5s';
  create table zkeb.key_rotations (
    account_id uuid primary key references zkeb.accounts on delete cascade,
    rotation_id uuid not null unique,
    expected_version bigint not null check (expected_version >= 1),
    password_wrapped_umk bytea not null,
    recovery_wrapped_umk bytea not null,
    created_at timestamptz not null,
    expires_at timestamptz not null
  );

  create table zkeb.key_rotation_keys (
    account_id uuid not null references zkeb.key_rotations on delete cascade,
    backup_id uuid not null,
    wrapped_key bytea not null check (octet_length(wrapped_key) between 1 and 512),
    primary key (account_id, backup_id)
  );

  grant select, insert, update, delete on zkeb.key_rotations, zkeb.key_rotation_keys to zkeb_app;
`

const isolate = (table: string): string => `
  alter table zkeb.${table} enable row level security;
  alter table zkeb.${table} force row level security;
  create policy ${table}_of_current_account on zkeb.${table}
    using (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid)
    with check (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid);
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(create)
  for (const table of tables) await knex.raw(isolate(table))
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    set local lock_timeout = '5s';
    drop table zkeb.key_rotation_keys;
    drop table zkeb.key_rotations;
  `)
}

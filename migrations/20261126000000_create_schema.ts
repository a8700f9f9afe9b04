/**
 * The tables of schema `zkeb`. Every account-owned row carries `account_id` and disappears with its account
 * (ON DELETE CASCADE). Binary fields are bytea; ciphertext chunks are stored EXTERNAL (uncompressed: it
 * would not compress, and substring reads of a range then touch only the slices they need).
 */
import type { Knex } from 'knex'

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    create schema if not exists zkeb;

    create table zkeb.accounts (
      account_id uuid primary key,
      username text not null check (length(username) between 3 and 128),
      created_at timestamptz not null,
      opaque_record bytea not null,
      password_wrapped_umk bytea not null,
      recovery_wrapped_umk bytea not null,
      key_bundle_version integer not null check (key_bundle_version >= 0),
      recovery_verifier bytea not null,
      quota_limit_bytes bigint not null check (quota_limit_bytes >= 0)
    );
    create unique index accounts_username_key on zkeb.accounts (lower(username));

    create table zkeb.devices (
      device_id uuid primary key,
      account_id uuid not null references zkeb.accounts on delete cascade,
      public_key bytea not null,
      encrypted_name bytea not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      revoked_at timestamptz
    );
    create index devices_by_account on zkeb.devices (account_id, created_at, device_id);

    create table zkeb.backups (
      account_id uuid not null references zkeb.accounts on delete cascade,
      backup_id uuid not null,
      device_id uuid not null,
      parent_id uuid,
      blob_id uuid not null,
      size_bytes bigint not null check (size_bytes >= 0),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      encrypted_metadata bytea not null,
      wrapped_key bytea not null,
      signature bytea not null,
      key_version integer not null,
      created_at timestamptz not null,
      deleted_at timestamptz,
      primary key (account_id, backup_id)
    );
    create index backups_live_newest_first on zkeb.backups (account_id, created_at desc, backup_id desc)
      where deleted_at is null;
    create index backups_trash_newest_first on zkeb.backups (account_id, created_at desc, backup_id desc)
      where deleted_at is not null;
    create index backups_due_for_purge on zkeb.backups (deleted_at, account_id, backup_id)
      where deleted_at is not null;

    create table zkeb.audit_events (
      account_id uuid not null references zkeb.accounts on delete cascade,
      seq bigint not null check (seq > 0),
      event_id uuid not null unique,
      type text not null,
      at timestamptz not null,
      device_id uuid,
      request_id text not null check (length(request_id) <= 128),
      prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
      hash text not null check (hash ~ '^[0-9a-f]{64}$'),
      primary key (account_id, seq),
      -- a second event naming the same predecessor would fork the chain
      unique (account_id, prev_hash)
    );

    create table zkeb.blobs (
      account_id uuid not null references zkeb.accounts on delete cascade,
      blob_id uuid not null,
      chunk_size integer not null check (chunk_size > 0),
      size_bytes bigint not null default 0 check (size_bytes >= 0),
      complete boolean not null default false,
      created_at timestamptz not null default now(),
      primary key (account_id, blob_id)
    );

    create table zkeb.blob_chunks (
      account_id uuid not null,
      blob_id uuid not null,
      seq integer not null check (seq >= 0),
      data bytea not null,
      primary key (account_id, blob_id, seq),
      foreign key (account_id, blob_id) references zkeb.blobs on delete cascade
    );
    alter table zkeb.blob_chunks alter column data set storage external;
  `)
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    drop table zkeb.blob_chunks;
    drop table zkeb.blobs;
    drop table zkeb.audit_events;
    drop table zkeb.backups;
    drop table zkeb.devices;
    drop table zkeb.accounts;
  `)
}

/**
 * Snapshots (protocol v1.1): the account's wrapped repository key, the packs (one blob each), the object index
 * (keyed object id → pack, offset, length, claim time), the snapshot records and their refs. Every table is
 * account-owned and isolated by row-level security like the others.
 * SECURITY: nothing here names a file, a folder, content or a plaintext hash. Object ids are keyed HMACs, series
 * ids keyed hashes, pack ids random; lengths are Padmé buckets; metadata is ciphertext.
 * Integrity the database keeps on its own: a ref names an indexed object of the same account, and an indexed
 * object a pack of that account (foreign keys without cascade, checked at the end of each statement), so
 * neither a crash nor a buggy collector can leave a snapshot pointing at nothing. Every table also cascades
 * from its account, so deleting an account takes all of it in one statement.
 * Expand only: five new tables the previous release never reads.
 */
import type { Knex } from 'knex'

const tables = ['snapshot_keys', 'snapshot_packs', 'snapshot_objects', 'snapshots', 'snapshot_refs']

/** 1 + 12 + padmeLength(5 + 32 MiB) + 16 (protocol v1.1 §3): the largest stored object. */
const maxObjectBytes = 34_603_037
const minObjectBytes = 34

const id32 = (column: string) => `${column} bytea not null check (octet_length(${column}) = 32)`

const keysAndPacks = `
  set local lock_timeout = '5s';
  create table zkeb.snapshot_keys (
    account_id uuid primary key references zkeb.accounts on delete cascade,
    wrapped_key bytea not null check (octet_length(wrapped_key) = 60),
    created_at timestamptz not null
  );

  create table zkeb.snapshot_packs (
    account_id uuid not null references zkeb.accounts on delete cascade,
    ${id32('pack_id')},
    blob_id uuid not null,
    sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint not null check (size_bytes > 0),
    object_count bigint not null check (object_count between 1 and 65536),
    created_at timestamptz not null,
    primary key (account_id, pack_id)
  );
  create index snapshot_packs_by_blob on zkeb.snapshot_packs (account_id, blob_id);

  create table zkeb.snapshot_objects (
    account_id uuid not null references zkeb.accounts on delete cascade,
    ${id32('object_id')},
    pack_id bytea not null,
    offset_bytes bigint not null check (offset_bytes >= 0),
    length_bytes bigint not null check (length_bytes between ${minObjectBytes} and ${maxObjectBytes}),
    claimed_at timestamptz not null,
    primary key (account_id, object_id),
    foreign key (account_id, pack_id) references zkeb.snapshot_packs
  );
  create index snapshot_objects_by_pack on zkeb.snapshot_objects (account_id, pack_id);
`

const recordsAndRefs = `
  set local lock_timeout = '5s';
  create table zkeb.snapshots (
    account_id uuid not null references zkeb.accounts on delete cascade,
    snapshot_id uuid not null,
    ${id32('series_id')},
    device_id uuid not null,
    received_at timestamptz not null,
    encrypted_metadata bytea not null check (octet_length(encrypted_metadata) between 1 and 65536),
    signature bytea not null check (octet_length(signature) = 64),
    ref_count bigint not null check (ref_count between 1 and 2000000),
    refs_sha256 text not null check (refs_sha256 ~ '^[0-9a-f]{64}$'),
    primary key (account_id, snapshot_id)
  );
  create index snapshots_newest_first on zkeb.snapshots (account_id, received_at desc, snapshot_id desc);
  create index snapshots_by_series on zkeb.snapshots (account_id, series_id, received_at desc, snapshot_id desc);

  create table zkeb.snapshot_refs (
    account_id uuid not null references zkeb.accounts on delete cascade,
    snapshot_id uuid not null,
    ${id32('object_id')},
    primary key (account_id, snapshot_id, object_id),
    foreign key (account_id, snapshot_id) references zkeb.snapshots on delete cascade,
    foreign key (account_id, object_id) references zkeb.snapshot_objects
  );
  create index snapshot_refs_by_object on zkeb.snapshot_refs (account_id, object_id);
`

const grants = `
  grant select, insert, update on zkeb.snapshot_keys to zkeb_app;
  grant select, insert, delete on zkeb.snapshot_packs, zkeb.snapshots, zkeb.snapshot_refs to zkeb_app;
  grant select, insert, update, delete on zkeb.snapshot_objects to zkeb_app;
`

const isolate = (table: string): string => `
  alter table zkeb.${table} enable row level security;
  alter table zkeb.${table} force row level security;
  create policy ${table}_of_current_account on zkeb.${table}
    using (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid)
    with check (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid);
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(keysAndPacks)
  await knex.raw(recordsAndRefs)
  await knex.raw(grants)
  for (const table of tables) await knex.raw(isolate(table))
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    set local lock_timeout = '5s';
    drop table zkeb.snapshot_refs;
    drop table zkeb.snapshots;
    drop table zkeb.snapshot_objects;
    drop table zkeb.snapshot_packs;
    drop table zkeb.snapshot_keys;
  `)
}

/**
 * The instances that keep blobs in a folder (BLOB_STORE=fs), so that two instances never keep them in two
 * different folders (each would serve only the blobs it wrote): a row per running instance names its folder's
 * identity and is refreshed by a heartbeat; an instance whose folder differs from a live row's refuses to start
 * (adapters/blobs/fs/knex-blob-folder-registry.ts). Not account data: no row-level security, and nothing in it
 * names an account, a backup or a blob.
 * Expand only: a new table the previous release never reads.
 */
import type { Knex } from 'knex'

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    set local lock_timeout = '5s';
    create table zkeb.blob_folder_instances (
      instance_id uuid primary key,
      folder_id uuid not null,
      host text not null,
      pid bigint not null,
      started_at timestamptz not null default now(),
      heartbeat_at timestamptz not null default now()
    );
    grant select, insert, update, delete on zkeb.blob_folder_instances to zkeb_app;
  `)
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw('drop table zkeb.blob_folder_instances')
}

/**
 * Knows how to open the blob store before wiring. BLOB_STORE=s3: a client whose bucket must answer HeadBucket
 * at start. Otherwise blobs stay on this deployment's own storage, in PostgreSQL (`postgres`) or as files in
 * a folder (`fs`), and which one takes new blobs is, in order:
 * - BLOB_STORE, when set;
 * - beside DATABASE_URL (production): postgres, as before; `fs` there needs an explicit BLOB_DIR (a volume);
 * - an embedded DATA_DIR: the choice recorded in DATA_DIR/blob-store; with none, `fs` for a new folder and
 *   `postgres` for one whose database already holds blobs (a folder from before the fs store), then recorded.
 * Whenever a blob folder is in play, both stores are served together (fallback-blob-store.ts): new blobs go to
 * the chosen one, reads fall back to the other, so a folder half way through `zkeb-admin blobs migrate` loses
 * nothing. The folder is registered (knex-blob-folder-registry.ts): an instance refuses to start beside a live
 * one that keeps its blobs in another folder. A problem the operator must fix stops the start in one line.
 * SECURITY: credentials go to the S3 client only; messages name folders, buckets and endpoints, never a key.
 */
import path from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { Knex } from 'knex'
import type { BlobStore } from '../../application/ports/blob-store'
import type { ReadinessProbe } from '../../application/ports/readiness-probe'
import { existingFolderId, openBlobFolder } from '../blobs/fs/blob-folder'
import { fsBlobStore, fsReadinessProbe } from '../blobs/fs/fs-blob-store'
import {
  defaultRegistryTiming,
  FolderConflict,
  type FolderRegistration,
  registerBlobFolder,
  type RegistryTiming,
} from '../blobs/fs/knex-blob-folder-registry'
import { fallbackBlobStore } from '../blobs/migration/fallback-blob-store'
import { createS3Client } from '../blobs/s3/create-s3-client'
import { s3ReadinessProbe } from '../blobs/s3/s3-blob-store'
import { knexBlobStore } from '../persistence/knex/knex-blob-store'
import { type LocalBlobStore, readBlobStoreRecord, writeBlobStoreRecord } from './blob-store-record'
import type { Config } from './config'
import { StartupError } from './startup-error'

/**
 * Which blob store the runtime prepared: for `s3`, a client it owns and closes; for `local`, PostgreSQL and a
 * folder served together, `primary` taking new blobs.
 */
export type BlobStoreChoice =
  | Readonly<{ kind: 'postgres' }>
  | Readonly<{ kind: 's3'; client: S3Client; bucket: string }>
  | Readonly<{ kind: 'local'; primary: LocalBlobStore; store: BlobStore; probe: ReadinessProbe }>

export type OpenBlobStore = Readonly<{ choice: BlobStoreChoice; close: () => Promise<void> }>

const describeError = (e: unknown): string =>
  e instanceof Error ? (e.name !== 'Error' ? e.name : e.message) : 'unknown error'

export const openS3BlobStore = async (
  config: Config & { s3: NonNullable<Config['s3']> },
): Promise<OpenBlobStore> => {
  const { bucket, endpoint } = config.s3
  const client = createS3Client(config.s3)
  const answered = await s3ReadinessProbe(client, bucket).check()()
  if (E.isLeft(answered)) {
    client.destroy()
    const where = endpoint === null ? `AWS S3 (${config.s3.region})` : new URL(endpoint).host
    throw new StartupError(
      `S3 bucket ${bucket} at ${where} (S3_BUCKET, S3_ENDPOINT) does not answer: ${describeError(answered.left.cause)}`,
    )
  }
  return { choice: { kind: 's3', client, bucket }, close: () => Promise.resolve(client.destroy()) }
}

/** BLOB_DIR, or DATA_DIR/blobs beside an embedded database; null beside DATABASE_URL without BLOB_DIR. */
export const blobFolderPath = (config: Config): string | null =>
  config.blobDir ?? (config.databaseUrl === null ? path.join(config.dataDir, 'blobs') : null)

/** Any blob at all in PostgreSQL (across accounts, through the collector's SECURITY DEFINER listing). */
const postgresHoldsBlobs = async (appKnex: Knex): Promise<boolean> => {
  const listed = await knexBlobStore(appKnex).listOlderThan(new Date('9999-12-31T00:00:00Z'), O.none, 1)()
  if (E.isLeft(listed)) throw listed.left.cause
  return listed.right.length > 0
}

/** The store that takes new blobs when BLOB_STORE is not s3 (see the module comment for the order). */
export const chooseLocalBlobStore = async (config: Config, appKnex: Knex): Promise<LocalBlobStore> => {
  if (config.blobStore === 'fs' || config.blobStore === 'postgres') return config.blobStore
  if (config.databaseUrl !== null) return 'postgres'
  const recorded = await readBlobStoreRecord(config.dataDir)
  if (recorded !== null) return recorded
  const chosen = (await postgresHoldsBlobs(appKnex)) ? 'postgres' : 'fs'
  await writeBlobStoreRecord(config.dataDir, chosen)
  return chosen
}

/** Opens the folder and registers this instance's use of it; StartupError when another folder is live. */
export const openRegisteredFolder = async (
  root: string,
  appKnex: Knex,
  timing: RegistryTiming = defaultRegistryTiming,
): Promise<Readonly<{ root: string; registration: FolderRegistration }>> => {
  const folder = await openBlobFolder(root).catch((e: unknown) => {
    throw new StartupError(`cannot use BLOB_DIR ${path.resolve(root)}: ${describeError(e)}`)
  })
  const registration = await registerBlobFolder(appKnex, folder.folderId, timing).catch((e: unknown) => {
    throw e instanceof FolderConflict ? new StartupError(`BLOB_DIR ${folder.root}: ${e.message}`) : e
  })
  return { root: folder.root, registration }
}

export const openBlobStore = async (config: Config, appKnex: Knex): Promise<OpenBlobStore> => {
  if (config.blobStore === 's3' && config.s3 !== null) return openS3BlobStore({ ...config, s3: config.s3 })
  const primary = await chooseLocalBlobStore(config, appKnex)
  const root = blobFolderPath(config)
  if (primary === 'fs' && root === null)
    throw new StartupError(
      'BLOB_STORE=fs beside DATABASE_URL needs BLOB_DIR, a mounted volume (see docs/operations-blobs.md)',
    )
  if (root === null || (primary === 'postgres' && (await existingFolderId(root)) === null))
    return { choice: { kind: 'postgres' }, close: () => Promise.resolve() }
  const folder = await openRegisteredFolder(root, appKnex)
  const [files, rows] = [fsBlobStore(folder.root), knexBlobStore(appKnex)]
  const store = primary === 'fs' ? fallbackBlobStore(files, rows) : fallbackBlobStore(rows, files)
  const probe = fsReadinessProbe(folder.root, folder.registration.problem)
  return { choice: { kind: 'local', primary, store, probe }, close: folder.registration.close }
}

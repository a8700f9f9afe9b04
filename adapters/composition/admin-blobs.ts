/**
 * `zkeb-admin blobs migrate --to fs|postgres [--throttle-ms N]`: moves every blob between PostgreSQL and the
 * blob folder (BLOB_DIR, default DATA_DIR/blobs), verified by hash against each record before the old copy
 * goes (adapters/blobs/migration/move-blobs.ts). Resumable: a killed run is finished by running it again.
 * Reversible: `--to` the other store moves them back.
 *
 * New blobs must already go to the target while it runs, so nothing is left behind: with an embedded DATA_DIR
 * the command records the target in DATA_DIR/blob-store first (the server is stopped: it holds DATA_DIR);
 * beside DATABASE_URL the instances must already run with BLOB_STORE set to the target, and the command runs
 * online beside them, with the same BLOB_STORE and BLOB_DIR. Either way every instance serves both stores
 * meanwhile (adapters/composition/blob-storage.ts), so every blob stays readable throughout.
 */
import type { Knex } from 'knex'
import { knexBlobRecords } from '../persistence/knex/knex-blob-records'
import { type MoveProgress, moveBlobs } from '../blobs/migration/move-blobs'
import { existingFolderId } from '../blobs/fs/blob-folder'
import { fsBlobStore } from '../blobs/fs/fs-blob-store'
import { blobFolderPath, openRegisteredFolder } from './blob-storage'
import { type LocalBlobStore, writeBlobStoreRecord } from './blob-store-record'
import type { Config } from './config'
import { loadOrCreateSecret, randomSecret } from './data-dir'
import { openDatabase } from './database'
import { migrate } from './runtime'
import { createKnex } from '../persistence/knex/create-knex'
import { knexBlobStore } from '../persistence/knex/knex-blob-store'
import type { BlobsFlags } from '../admin-cli/host'
import { AdminError, ExitCode, formatBytes, type Output } from '../admin-cli/output'

const usage = 'usage: zkeb-admin blobs migrate --to fs|postgres [--throttle-ms N]'

/** The blob folder, when moving to `to` with these settings leaves nothing behind; else what to change. */
const folderFor = (config: Config, to: LocalBlobStore): Readonly<{ root: string } | { problem: string }> => {
  if (config.blobStore === 's3')
    return { problem: 'BLOB_STORE=s3 keeps blobs in a bucket; migrate moves them between postgres and fs' }
  if (config.blobStore !== null && config.blobStore !== to)
    return {
      problem: `BLOB_STORE=${config.blobStore} would keep sending new blobs there: set BLOB_STORE=${to} (on every instance) or unset it`,
    }
  if (config.databaseUrl !== null && to === 'fs' && config.blobStore !== 'fs')
    return {
      problem:
        'beside DATABASE_URL, first deploy every instance with BLOB_STORE=fs and BLOB_DIR (new blobs then go to the folder), then run this with the same settings',
    }
  const root = blobFolderPath(config)
  return root === null ? { problem: 'the blob folder is unknown: set BLOB_DIR' } : { root }
}

/** The database as the server opens it (embedded in DATA_DIR, or DATABASE_URL), and the application's pool. */
const withAppKnex = async <A>(config: Config, work: (appKnex: Knex) => Promise<A>): Promise<A> => {
  const tokenSecret = async () =>
    config.tokenSecret ?? (await loadOrCreateSecret(config.dataDir, 'token-secret', randomSecret))
  const db = await openDatabase(config, tokenSecret, () => undefined)
  try {
    if (config.migrateOnStart) await migrate(db.ownerUrl)
    const appKnex = createKnex({ url: db.appUrl, poolMax: 2, applicationName: 'zkeb-admin' })
    try {
      return await work(appKnex)
    } finally {
      await appKnex.destroy()
    }
  } finally {
    await db.close()
  }
}

const summary = (from: LocalBlobStore, to: LocalBlobStore, p: MoveProgress): string =>
  [
    `moved ${p.moved} blobs (${formatBytes(p.movedBytes)}) from ${from} to ${to}`,
    ...(p.targetFull ? [`stopped: ${to} has no room left`] : []),
    ...(p.mismatched.length > 0
      ? [`${p.mismatched.length} blobs do not match their records and stay in ${from}`]
      : []),
    ...(p.failed.length > 0
      ? [`${p.failed.length} blobs could not be moved now: run the command again`]
      : []),
    ...(p.unfinished > 0
      ? [`${p.unfinished} unfinished writes skipped (the blob collector removes them)`]
      : []),
  ].join('\n')

const exitOf = (p: MoveProgress): number =>
  p.targetFull || p.failed.length > 0
    ? ExitCode.unavailable
    : p.mismatched.length > 0
      ? ExitCode.conflict
      : ExitCode.ok

export const blobsCommand = async (
  config: Config,
  action: string | undefined,
  flags: BlobsFlags,
  out: Output,
): Promise<number> => {
  if (action !== 'migrate' || (flags.to !== 'fs' && flags.to !== 'postgres'))
    throw new AdminError(ExitCode.usage, usage)
  const to: LocalBlobStore = flags.to
  const from: LocalBlobStore = to === 'fs' ? 'postgres' : 'fs'
  const folderOrProblem = folderFor(config, to)
  if ('problem' in folderOrProblem) throw new AdminError(ExitCode.usage, folderOrProblem.problem)
  const { root } = folderOrProblem
  return withAppKnex(config, async (appKnex) => {
    if (config.databaseUrl === null) await writeBlobStoreRecord(config.dataDir, to)
    if (to === 'postgres' && (await existingFolderId(root)) === null) {
      out.result(`no blob folder at ${root}: nothing to move`, { from, to, moved: 0, movedBytes: 0 })
      return ExitCode.ok
    }
    const folder = await openRegisteredFolder(root, appKnex)
    try {
      const [files, rows] = [fsBlobStore(folder.root), knexBlobStore(appKnex)]
      const moved = await moveBlobs({
        from: to === 'fs' ? rows : files,
        to: to === 'fs' ? files : rows,
        records: knexBlobRecords(appKnex),
        ...(flags.throttleMs === undefined ? {} : { throttleMs: flags.throttleMs }),
        onProgress: (p) => out.progress(`blobs migrate: ${p.moved} moved (${formatBytes(p.movedBytes)})`),
      })
      out.progressDone()
      if (moved._tag === 'Left')
        throw new AdminError(ExitCode.unavailable, `${moved.left.dependency} is unavailable`)
      out.result(summary(from, to, moved.right), { from, to, ...moved.right })
      return exitOf(moved.right)
    } finally {
      out.progressDone()
      await folder.registration.close()
    }
  })
}

/**
 * `zkeb-admin restore --from DIR`: a backup folder back into an empty DATA_DIR or database (and an empty blob
 * store), checked before anything is written: the passphrase opens secrets.age, which seals the manifest's
 * digest, which lists every database file's; this release knows every migration the backup had applied; the
 * secrets the environment sets are the backup's. Then the database is restored, the blobs written back, and
 * every blob a record names is read back and checked against that record before success is reported.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import * as E from 'fp-ts/Either'
import type pg from 'pg'
import type { BlobStore } from '../../../application/ports/blob-store'
import type { Config } from '../config'
import { createKnex } from '../../persistence/knex/create-knex'
import { knexBlobStore } from '../../persistence/knex/knex-blob-store'
import { migrations as knownMigrations } from '../../persistence/knex/migrator'
import { AdminError, ExitCode, formatBytes, type Output } from '../../admin-cli/output'
import { openBlobArchive, storeIsEmpty } from './blob-archive'
import { restoreAndVerifyBlobs, type Verification } from './blob-verification'
import { firstAltered } from './file-tree'
import { blobsFolder, type Manifest, readManifest, secretsFile } from './manifest'
import { readPassphrase } from './passphrase'
import { withClient } from './pg-dump'
import {
  checkEmptyDatabase,
  checkEmptyDataDir,
  checkTargetKind,
  type RestoredDatabase,
  restoreEmbedded,
  restoreExternal,
} from './restore-targets'
import { openSecrets, type SecretsEnvelope } from './secrets-envelope'
import { checkVitalSecrets, restoreDataDirSecrets } from './service-secrets'

type Env = Readonly<Record<string, string | undefined>>
export type RestoreFlags = Readonly<{ from: string; passphraseFile?: string }>

/** The manifest, authenticated by secrets.age, with every database file as the backup wrote it. */
const openBackup = async (
  folder: string,
  passphrase: string,
): Promise<{ manifest: Manifest; envelope: SecretsEnvelope }> => {
  const read = await readManifest(folder)
  if (E.isLeft(read)) throw new AdminError(ExitCode.notFound, read.left)
  const armored = await readFile(path.join(folder, secretsFile), 'utf8').catch(() => '')
  const opened = await openSecrets(armored, passphrase)
  if (E.isLeft(opened))
    throw new AdminError(
      ExitCode.conflict,
      opened.left === 'wrong-passphrase'
        ? `the passphrase does not open ${secretsFile}`
        : `${secretsFile} is missing or damaged`,
    )
  if (opened.right.manifestSha256 !== read.right.sha256)
    throw new AdminError(
      ExitCode.conflict,
      `manifest.json changed after the backup (${secretsFile} seals another digest)`,
    )
  const altered = await firstAltered(folder, read.right.manifest.database.files)
  if (altered !== undefined)
    throw new AdminError(ExitCode.conflict, `${altered} is missing or changed since the backup`)
  return { manifest: read.right.manifest, envelope: opened.right }
}

/** Every migration the backup applied must be one this release knows; newer ones apply when the server starts. */
const checkMigrations = (manifest: Manifest): number => {
  const known = new Set(knownMigrations.map((m) => m.name))
  const unknown = manifest.migrations.find((name) => !known.has(name))
  if (unknown !== undefined)
    throw new AdminError(
      ExitCode.conflict,
      `the backup was made by a newer release (ZKEB ${manifest.zkebVersion}, migration ${unknown}): restore with that release or a later one`,
    )
  return known.size - manifest.migrations.length
}

const restoreDatabase = async (config: Config, folder: string, m: Manifest, s: SecretsEnvelope, env: Env) => {
  const dataDir = path.resolve(config.dataDir)
  if (config.databaseUrl === null) {
    await checkEmptyDataDir(dataDir)
    await restoreDataDirSecrets(dataDir, s.dataDirSecrets)
    return restoreEmbedded(dataDir, folder, m)
  }
  await checkEmptyDatabase(config.databaseUrl)
  if (Object.keys(s.dataDirSecrets).length > 0) await restoreDataDirSecrets(dataDir, s.dataDirSecrets)
  return restoreExternal(config.databaseUrl, folder, m, env)
}

type Counts = {
  accounts: number
  live: number
  trash: number
  resticObjects: number
  uploadsInFlight: number
}

const countsOf = async (client: pg.Client): Promise<Counts> => {
  const { rows } = await client.query<Record<keyof Counts, string>>(
    `select (select count(*) from zkeb.accounts) as accounts,
            (select count(*) from zkeb.backups where deleted_at is null) as live,
            (select count(*) from zkeb.backups where deleted_at is not null) as trash,
            (select count(*) from zkeb.restic_objects) as "resticObjects",
            (select count(*) from zkeb.upload_sessions) as "uploadsInFlight"`,
  )
  const row = rows[0]!
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as Counts
}

/**
 * The backup holds the blob-folder registrations of the instances that served the backed-up deployment; kept,
 * a row seen less than a minute before the backup would refuse the restored service's first start on its new
 * folder. They describe processes, not data, so the restored database starts with none.
 */
const forgetBackedUpInstances = (client: pg.Client) =>
  client.query(`do $$ begin
    if to_regclass('zkeb.blob_folder_instances') is not null then delete from zkeb.blob_folder_instances; end if;
  end $$`)

/** Reads every referenced blob back; blobs in an external store are written from the folder first. */
const verify = async (db: RestoredDatabase, store: BlobStore | null, folder: string) => {
  const knex =
    store === null ? createKnex({ url: db.url, poolMax: 4, applicationName: 'zkeb-admin restore' }) : null
  try {
    return await withClient(db.url, async (client) => {
      await forgetBackedUpInstances(client)
      const verification = await restoreAndVerifyBlobs(client, {
        store: store ?? knexBlobStore(knex!),
        writeFrom: store === null ? null : path.join(folder, blobsFolder),
      })
      return { verification, counts: await countsOf(client) }
    })
  } finally {
    await knex?.destroy()
  }
}

const report = (v: Verification, c: Counts, pending: number, folder: string, ms: number): string => {
  const lines = [
    `restored ${folder} in ${(ms / 1000).toFixed(1)} s: ${c.accounts} accounts, ${c.live} backups and ${c.trash} in the trash, ${c.resticObjects} restic objects`,
    `verified ${v.verified.backup + v.verified['restic-object'] + v.verified['upload-part']} blobs (${formatBytes(v.bytes)}) against their records`,
  ]
  if (c.uploadsInFlight > 0)
    lines.push(
      `${c.uploadsInFlight} resumable uploads were in flight: clients resume them from their backed-up offset until they expire`,
    )
  if (pending > 0) lines.push(`${pending} newer migrations apply when the server starts`)
  return lines.join('\n')
}

export const restoreCommand = async (
  config: Config,
  env: Env,
  flags: RestoreFlags,
  out: Output,
): Promise<number> => {
  const started = Date.now()
  const folder = path.resolve(flags.from)
  const passphrase = await readPassphrase(flags.passphraseFile, env, 'restore')
  const { manifest, envelope } = await openBackup(folder, passphrase)
  const pending = checkMigrations(manifest)
  checkTargetKind(manifest, config)
  checkVitalSecrets(envelope, env)
  const archive = await openBlobArchive(config, { store: manifest.blobs.store })
  try {
    if (archive.blobs !== null && !(await storeIsEmpty(archive.blobs)))
      throw new AdminError(
        ExitCode.conflict,
        `${archive.source} already holds blobs: restore writes only into an empty store`,
      )
    const db = await restoreDatabase(config, folder, manifest, envelope, env)
    const { verification, counts } = await verify(db, archive.blobs, folder).finally(db.close)
    const problems = verification.problems
    if (problems.length > 0) {
      const first = problems[0]!
      throw new AdminError(
        ExitCode.unexpected,
        `${problems.length} blobs failed verification (first: ${first.kind} ${first.accountId}/${first.blobId}: ${first.problem}); ` +
          `the restored data stays in place for inspection and is NOT fit to serve`,
      )
    }
    const ms = Date.now() - started
    out.result(report(verification, counts, pending, folder, ms), {
      folder,
      durationMs: ms,
      counts,
      pendingMigrations: pending,
      ...verification,
    })
    return ExitCode.ok
  } finally {
    await archive.close()
  }
}

/**
 * `zkeb-admin backup --to DIR`: an online backup of the whole service while it serves. Order matters:
 *   1. the blob fence (blobs/backup-fence.ts) is taken, waiting for deletions already running;
 *   2. the database is copied: one consistent point (the base backup's end, or pg_dump's snapshot);
 *   3. every blob an external store lists is copied. Blobs are stored before the record naming them commits,
 *      and none is deleted while the fence is held, so each blob a record of step 2 names is listed in step 3.
 * An upload that commits before the point of step 2 is in the backup whole (record and bytes); one that commits
 * after is absent (its bytes may be copied, unreferenced: restore skips them).
 * Then manifest.json (written last: a folder without it is unfinished) and secrets.age.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type pg from 'pg'
import { backupFenceKey } from '../../blobs/backup-fence'
import type { Config } from '../config'
import { readVersion } from '../version'
import { AdminError, ExitCode, formatBytes, type Output } from '../../admin-cli/output'
import { takeBaseBackup } from './base-backup'
import { copyBlobsOut, openBlobArchive } from './blob-archive'
import { digestFiles } from './file-tree'
import {
  blobsFolder,
  databaseFolder,
  dumpFile,
  encodeManifest,
  type Manifest,
  pgDataFolder,
  secretsFile,
  writeManifest,
} from './manifest'
import { openOwnerDatabase, type OwnerDatabase } from './owner-database'
import { readPassphrase } from './passphrase'
import { dumpDatabase, serverVersion, withClient } from './pg-dump'
import { sealSecrets } from './secrets-envelope'
import { collectSecrets } from './service-secrets'

type Env = Readonly<Record<string, string | undefined>>
export type BackupFlags = Readonly<{ to: string; passphraseFile?: string }>

/** Each backup gets a folder of its own: an existing one must be empty. */
const prepareFolder = async (folder: string): Promise<void> => {
  const entries = await readdir(folder).catch(() => null)
  if (entries !== null && entries.length > 0)
    throw new AdminError(ExitCode.conflict, `${folder} is not empty: give each backup a new folder`)
  await mkdir(path.join(folder, databaseFolder), { recursive: true, mode: 0o700 })
}

const appliedMigrations = async (client: pg.Client): Promise<ReadonlyArray<string>> =>
  (await client.query<{ name: string }>('select name from zkeb.knex_migrations order by id')).rows.map(
    (r) => r.name,
  )

const schemaOwner = async (client: pg.Client): Promise<string> =>
  (
    await client.query<{ owner: string }>(
      "select nspowner::regrole::text as owner from pg_namespace where nspname = 'zkeb'",
    )
  ).rows[0]!.owner

/** Step 2 on `session`, which holds the fence. */
const copyDatabase = async (
  db: OwnerDatabase,
  session: pg.Client,
  folder: string,
  env: Env,
): Promise<Manifest['database']> => {
  const server = await serverVersion(session)
  const version = { postgresVersion: server.text, postgresMajor: server.major }
  const relative = (file: string) => `${databaseFolder}/${file}`
  if (db.pgData !== null) {
    const target = path.join(folder, databaseFolder, pgDataFolder)
    const copy = await takeBaseBackup(session, db.pgData, target)
    const files = await digestFiles(
      folder,
      copy.files.map((f) => relative(`${pgDataFolder}/${f}`)),
    )
    return {
      method: 'base-backup',
      ...version,
      files: [...files],
      startLsn: copy.startLsn,
      stopLsn: copy.stopLsn,
    }
  }
  const owner = await schemaOwner(session)
  const pgDumpMajor = await dumpDatabase(db.url, path.join(folder, databaseFolder, dumpFile), env, server)
  const files = await digestFiles(folder, [relative(dumpFile)])
  return { method: 'pg_dump', ...version, files: [...files], pgDumpMajor, owner }
}

const summary = (m: Manifest, folder: string, ms: number): string => {
  const bytes = m.database.files.reduce((sum, f) => sum + f.bytes, 0)
  const how =
    m.database.method === 'base-backup'
      ? `base backup of PostgreSQL ${m.database.postgresVersion} (WAL ${m.database.startLsn} to ${m.database.stopLsn})`
      : `pg_dump ${m.database.pgDumpMajor} of PostgreSQL ${m.database.postgresVersion}`
  const blobs =
    m.blobs.store === 'postgres'
      ? 'blobs inside the database'
      : `${m.blobs.objects} blobs (${formatBytes(m.blobs.bytes)}) from ${m.blobs.source}`
  return `backup written to ${folder} in ${(ms / 1000).toFixed(1)} s: database by ${how}, ${formatBytes(bytes)}; ${blobs}; secrets sealed in ${secretsFile}`
}

export const backupCommand = async (
  config: Config,
  env: Env,
  flags: BackupFlags,
  out: Output,
): Promise<number> => {
  const started = new Date()
  const passphrase = await readPassphrase(flags.passphraseFile, env, 'backup')
  const folder = path.resolve(flags.to)
  const secrets = await collectSecrets(env, path.resolve(config.dataDir))
  await prepareFolder(folder)
  const db = await openOwnerDatabase(config)
  let database: Manifest['database']
  let blobs: Manifest['blobs']
  let migrations: ReadonlyArray<string>
  try {
    const archive = await openBlobArchive(config)
    try {
      ;({ database, blobs, migrations } = await withClient(db.url, async (session) => {
        await session.query('select pg_advisory_lock($1::bigint)', [backupFenceKey])
        const before = await appliedMigrations(session)
        const database = await copyDatabase(db, session, folder, env)
        const copied =
          archive.blobs === null
            ? { objects: 0, bytes: 0 }
            : await copyBlobsOut(archive.blobs, path.join(folder, blobsFolder))
        const migrations = await appliedMigrations(session)
        if (migrations.join() !== before.join())
          throw new AdminError(ExitCode.conflict, 'a migration ran during the backup: take it again')
        return { database, blobs: { store: archive.store, source: archive.source, ...copied }, migrations }
      }))
    } finally {
      await archive.close()
    }
  } finally {
    await db.close()
  }
  const manifest: Manifest = {
    format: 'zkeb-backup/1',
    zkebVersion: readVersion(),
    nodeVersion: process.version,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    migrations: [...migrations],
    database,
    blobs,
    configuration: secrets.configuration,
    secrets: {
      dataDirSecrets: Object.keys(secrets.dataDirSecrets),
      environment: Object.keys(secrets.environment),
    },
  }
  const encoded = encodeManifest(manifest)
  const envelope = { format: 'zkeb-secrets/1' as const, manifestSha256: encoded.sha256, ...secrets }
  const { configuration: _, ...sealed } = envelope
  await writeFile(path.join(folder, secretsFile), await sealSecrets(sealed, passphrase), {
    mode: 0o600,
    flag: 'wx',
  })
  await writeManifest(folder, encoded.text)
  const ms = Date.now() - started.getTime()
  const { files: __, ...databaseSummary } = database
  out.result(summary(manifest, folder, ms), {
    folder,
    durationMs: ms,
    database: databaseSummary,
    blobs,
    migrations: migrations.length,
  })
  return ExitCode.ok
}

/**
 * Knows where a restore writes the database and that nothing lives there yet: an embedded PostgreSQL in a
 * DATA_DIR without a cluster or secrets, or an external database without the `zkeb` schema. Live data is
 * never overwritten: a restore into anything else is refused before a byte is written.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Config } from '../config'
import { describeUrl } from '../database'
import { lockDataDir } from '../data-dir'
import { startEmbeddedPostgres } from '../embedded-postgres'
import { isRoot } from '../embedded-postgres-host'
import { AdminError, ExitCode } from '../../admin-cli/output'
import { ownTree } from './file-tree'
import { databaseFolder, dumpFile, type Manifest, pgDataFolder } from './manifest'
import { restoreDump, withClient } from './pg-dump'

export type RestoredDatabase = Readonly<{ url: string; describe: string; close: () => Promise<void> }>

const run = promisify(execFile)

/** The OS user the embedded server runs as when ZKEB runs as root, created as embedded-postgres does. */
const postgresAccount = async (): Promise<{ uid: number; gid: number }> => {
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  })
  try {
    return await ids()
  } catch {
    await run('groupadd', ['postgres']).catch(() => undefined)
    await run('useradd', ['-g', 'postgres', 'postgres'])
    return ids()
  }
}

const holdsSomething = async (folder: string): Promise<boolean> =>
  existsSync(folder) && (await readdir(folder)).length > 0

/** DATA_DIR may exist, but with no cluster and no secrets in it, and no live process holding it. */
export const checkEmptyDataDir = async (dataDir: string): Promise<void> => {
  for (const part of ['postgres', 'secrets'])
    if (await holdsSomething(path.join(dataDir, part)))
      throw new AdminError(
        ExitCode.conflict,
        `DATA_DIR ${dataDir} already holds ${part}/: restore writes only into an empty DATA_DIR`,
      )
  await mkdir(dataDir, { recursive: true, mode: 0o755 })
  await (await lockDataDir(dataDir)).release()
}

/** The major version of the embedded server's binaries (`postgres -V`), or null when they cannot be found. */
const embeddedMajor = async (): Promise<number | null> => {
  try {
    const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
      postgres: string
    }
    const { stdout } = await run(binaries.postgres, ['-V'])
    return Number(/\(PostgreSQL\) (\d+)/.exec(stdout)?.[1] ?? NaN) || null
  } catch {
    return null
  }
}

/** Puts the base backup in place as DATA_DIR/postgres and starts it: PostgreSQL replays the copied WAL. */
export const restoreEmbedded = async (
  dataDir: string,
  folder: string,
  manifest: Manifest,
): Promise<RestoredDatabase> => {
  const major = await embeddedMajor()
  if (major !== null && major !== manifest.database.postgresMajor)
    throw new AdminError(
      ExitCode.conflict,
      `the backup is of PostgreSQL ${manifest.database.postgresMajor}; this release embeds ${major}: ` +
        `restore with a release embedding ${manifest.database.postgresMajor}, then upgrade`,
    )
  const pgData = path.join(dataDir, 'postgres')
  await cp(path.join(folder, databaseFolder, pgDataFolder), pgData, { recursive: true })
  await ownTree(pgData, isRoot() ? await postgresAccount() : null)
  const embedded = await startEmbeddedPostgres(dataDir)
  return {
    url: embedded.ownerUrl,
    describe: `embedded ${describeUrl(embedded.ownerUrl)}`,
    close: embedded.stop,
  }
}

/** An external database is empty for ZKEB when it has no `zkeb` schema (migrations and data live there). */
export const checkEmptyDatabase = async (url: string): Promise<void> => {
  const used = await withClient(url, async (client) => {
    const { rows } = await client.query<{ used: boolean }>(
      "select exists (select 1 from pg_namespace where nspname = 'zkeb') as used",
    )
    return rows[0]?.used === true
  })
  if (used)
    throw new AdminError(
      ExitCode.conflict,
      `${describeUrl(url)} already has a zkeb schema: restore writes only into an empty database`,
    )
}

export const restoreExternal = async (
  url: string,
  folder: string,
  manifest: Manifest,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RestoredDatabase> => {
  const database = manifest.database
  if (database.method !== 'pg_dump') throw new Error('a pg_dump backup was expected')
  const facts = {
    pgDumpMajor: database.pgDumpMajor,
    postgresMajor: database.postgresMajor,
    owner: database.owner,
  }
  await restoreDump(url, path.join(folder, databaseFolder, dumpFile), env, facts)
  return { url, describe: describeUrl(url), close: () => Promise.resolve() }
}

/** The backup's database method must fit the target the configuration names. */
export const checkTargetKind = (manifest: Manifest, config: Config): void => {
  const embedded = config.databaseUrl === null
  if (manifest.database.method === 'base-backup' && !embedded)
    throw new AdminError(
      ExitCode.conflict,
      'this backup is of the embedded PostgreSQL: restore it with DATABASE_URL unset (into DATA_DIR)',
    )
  if (manifest.database.method === 'pg_dump' && embedded)
    throw new AdminError(
      ExitCode.conflict,
      'this backup is of an external PostgreSQL: set DATABASE_URL to an empty database',
    )
  const wantsS3 = manifest.blobs.store === 's3'
  const configured = config.blobStore ?? 'chosen by the data folder'
  if (
    wantsS3 !== (config.blobStore === 's3') ||
    (!wantsS3 && config.blobStore !== null && manifest.blobs.store !== config.blobStore)
  )
    throw new AdminError(
      ExitCode.conflict,
      `this backup's blobs were in BLOB_STORE=${manifest.blobs.store}; the configuration says ${configured}`,
    )
}

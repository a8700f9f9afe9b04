/**
 * Knows manifest.json, written last into a backup folder (a folder without it is an unfinished backup): what
 * made the backup (release, migrations applied), how the database was copied and the digest of each of its
 * files, where the blobs were, the non-secret configuration, and the names (never the values) of the secrets
 * sealed in secrets.age.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'

export const manifestFile = 'manifest.json'
export const secretsFile = 'secrets.age'
export const databaseFolder = 'database'
export const blobsFolder = 'blobs'
/** The base backup's copy of the data folder, under databaseFolder. */
export const pgDataFolder = 'pgdata'
/** pg_dump's archive (custom format), under databaseFolder. */
export const dumpFile = 'zkeb.dump'

const FileDigest = t.type({ path: t.string, bytes: t.number, sha256: t.string })

const postgres = { postgresVersion: t.string, postgresMajor: t.number, files: t.array(FileDigest) }

export const BaseBackupDatabase = t.type({
  method: t.literal('base-backup'),
  ...postgres,
  startLsn: t.string,
  stopLsn: t.string,
})

export const DumpDatabase = t.type({
  method: t.literal('pg_dump'),
  ...postgres,
  pgDumpMajor: t.number,
  /** The role that owned the schema: pg_restore recreates its objects under the same name. */
  owner: t.string,
})

export const BlobsPart = t.type({
  /** BLOB_STORE at the time: `postgres` keeps blobs in the database copy; any other is copied to blobs/. */
  store: t.string,
  /** Where they were (bucket and endpoint host), for the operator. */
  source: t.string,
  objects: t.number,
  bytes: t.number,
})

export const Manifest = t.type({
  format: t.literal('zkeb-backup/1'),
  zkebVersion: t.string,
  nodeVersion: t.string,
  startedAt: t.string,
  finishedAt: t.string,
  migrations: t.array(t.string),
  database: t.union([BaseBackupDatabase, DumpDatabase]),
  blobs: BlobsPart,
  /** The non-secret variables that were set. */
  configuration: t.record(t.string, t.string),
  /** Names of what secrets.age holds. */
  secrets: t.type({ dataDirSecrets: t.array(t.string), environment: t.array(t.string) }),
})
export type Manifest = t.TypeOf<typeof Manifest>

/** The bytes to write and their SHA-256, which secrets.age records. */
export const encodeManifest = (manifest: Manifest): { text: string; sha256: string } => {
  const text = `${JSON.stringify(manifest, null, 2)}\n`
  return { text, sha256: createHash('sha256').update(text).digest('hex') }
}

export const writeManifest = (folder: string, text: string): Promise<void> =>
  writeFile(path.join(folder, manifestFile), text, { mode: 0o600, flag: 'wx' })

export type ReadManifest = Readonly<{ manifest: Manifest; sha256: string }>

/** The manifest and the digest of its bytes; Left names what is wrong, never a value from the file. */
export const readManifest = async (folder: string): Promise<E.Either<string, ReadManifest>> => {
  const text = await readFile(path.join(folder, manifestFile), 'utf8').catch(() => undefined)
  if (text === undefined)
    return E.left(`${folder} has no ${manifestFile}: not a ZKEB backup, or one that did not finish`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return E.left(`${manifestFile} is not JSON`)
  }
  const format = (parsed as { format?: unknown } | null)?.format
  if (format !== 'zkeb-backup/1')
    return E.left(`${manifestFile} has format ${String(format)}, which this release does not read`)
  const decoded = Manifest.decode(parsed)
  if (E.isLeft(decoded)) return E.left(`${manifestFile} is malformed`)
  return E.right({ manifest: decoded.right, sha256: createHash('sha256').update(text).digest('hex') })
}

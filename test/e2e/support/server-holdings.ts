/**
 * Collects every byte the server holds or wrote, as named sources for the secret scanner: a full pg_dump of its
 * database, the blob chunks read straight from the table (each blob reassembled, so a secret cut by a chunk
 * boundary is still found), every Redis key with its value (read by type, and its DUMP serialisation), the
 * server's log file and every file in its DATA_DIR.
 */
import { execFile, spawnSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { Source } from './secret-scanner'

const run = promisify(execFile)

export const withPg = async <A>(url: string, work: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** The whole database as plain SQL (schema and data; bytea as hex, PostgreSQL's default output). */
export const pgDump = async (databaseUrl: string): Promise<Source> => {
  const { stdout } = await run('pg_dump', ['--dbname', databaseUrl, '--no-owner'], {
    encoding: 'buffer',
    maxBuffer: 1024 * 1024 * 1024,
  })
  return { name: 'pg_dump', bytes: stdout }
}

/** Each blob's chunks concatenated in order, straight from zkeb.blob_chunks. */
export const blobChunks = (databaseUrl: string): Promise<ReadonlyArray<Source>> =>
  withPg(databaseUrl, async (client) => {
    const { rows } = await client.query<{ blob_id: string; data: Buffer }>(
      'select blob_id, data from zkeb.blob_chunks order by account_id, blob_id, seq',
    )
    const blobs = new Map<string, Buffer[]>()
    for (const row of rows) blobs.set(row.blob_id, [...(blobs.get(row.blob_id) ?? []), row.data])
    return [...blobs].map(([blobId, chunks]) => ({ name: `blob ${blobId}`, bytes: Buffer.concat(chunks) }))
  })

const valueOf = async (redis: Redis, key: Buffer): Promise<ReadonlyArray<Buffer>> => {
  switch (await redis.type(key)) {
    case 'string':
      return [(await redis.getBuffer(key)) ?? Buffer.alloc(0)]
    case 'hash':
      return Object.entries(await redis.hgetallBuffer(key)).flatMap(([field, v]) => [Buffer.from(field), v])
    case 'set':
      return redis.smembersBuffer(key)
    case 'list':
      return redis.lrangeBuffer(key, '0', '-1')
    case 'zset':
      return redis.zrangeBuffer(key, '0', '-1', 'WITHSCORES')
    default:
      return []
  }
}

/** Every key of the (throwaway) Redis: its name, its value read by type, and its DUMP serialisation. */
export const redisKeyspace = async (url: string): Promise<ReadonlyArray<Source>> => {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  try {
    const sources: Source[] = []
    let cursor = '0'
    do {
      const [next, keys] = await redis.scanBuffer(cursor, 'COUNT', 500)
      for (const keyBytes of keys) {
        const dumped = (await redis.dumpBuffer(keyBytes)) ?? Buffer.alloc(0)
        const value = await valueOf(redis, keyBytes)
        sources.push({
          name: `redis ${keyBytes.toString('latin1')}`,
          bytes: Buffer.concat([keyBytes, Buffer.from('\n'), ...value, dumped]),
        })
      }
      cursor = next.toString()
    } while (cursor !== '0')
    return sources
  } finally {
    redis.disconnect()
  }
}

const filesUnder = async (dir: string): Promise<ReadonlyArray<string>> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

/** Every file under `dir` (a blob folder), each a source named `prefix` and its relative path. */
export const folderFiles = async (dir: string, prefix: string): Promise<ReadonlyArray<Source>> =>
  Promise.all(
    (await filesUnder(dir)).map(async (file) => ({
      name: `${prefix} ${path.relative(dir, file)}`,
      bytes: await readFile(file),
    })),
  )

/** Every file of the server's DATA_DIR (generated secrets, lock file), and its log file. */
export const serverFiles = async (dataDir: string, logFile: string): Promise<ReadonlyArray<Source>> =>
  Promise.all(
    [logFile, ...(await filesUnder(dataDir))].map(async (file) => ({
      name: file === logFile ? 'server log' : `DATA_DIR ${path.relative(dataDir, file)}`,
      bytes: await readFile(file),
    })),
  )

/** pg_dump refuses a server newer than itself (the embedded PostgreSQL 18 when TEST_DATABASE_URL is unset). */
export const pgDumpUsable = async (url: string): Promise<boolean> => {
  const version = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' })
  const client = Number(/(\d+)\.\d+/.exec(version.stdout ?? '')?.[1] ?? 0)
  const server = await withPg(url, async (c) =>
    Number(
      (await c.query<{ server_version_num: string }>('show server_version_num')).rows[0]?.server_version_num,
    ),
  )
  return client > 0 && client * 10_000 >= server - (server % 10_000)
}

/** Every row of every table of the database as text (bytea as hex), whatever the server version. */
export const tableRows = (url: string): Promise<Source> =>
  withPg(url, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `select format('%I.%I', table_schema, table_name) as name from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    )
    const parts: string[] = []
    for (const { name } of tables) {
      const { rows } = await client.query<{ row: string }>(`select t::text as row from ${name} t`)
      parts.push(name, ...rows.map((r) => r.row))
    }
    return { name: 'table rows', bytes: Buffer.from(parts.join('\n')) }
  })

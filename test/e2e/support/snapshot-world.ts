/**
 * A real snapshot deployment for the end-to-end proofs: a fresh PostgreSQL database, the server as a separate
 * process (what `npm start` runs) with its blobs in a folder, one account registered with the real `zkeb`
 * executable, which runs as child processes a test can kill -9. Also: what the server holds (packs, objects, refs) read straight from the
 * database, and a folder digest that compares two trees by bytes, modes, mtimes and symlink targets.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, mkdtemp, readdir, readlink, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'
import { withPg } from './server-holdings'
import { repositoryRoot, startServerProcess, type ServerProcess } from './server-process'

export type ClientRun = Readonly<{
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
}>
export type RunningClient = Readonly<{ child: ChildProcess; done: Promise<ClientRun> }>

export type SnapshotWorld = Readonly<{
  work: string
  dataDir: string
  blobDir: string
  logFile: string
  database: TestDatabase
  server: () => ServerProcess
  username: string
  password: string
  /** Starts `zkeb ARGS` (a child process; resolves when it exits, however). */
  client: (args: ReadonlyArray<string>) => RunningClient
  /** Runs `zkeb ARGS --json` to completion; throws with its stderr unless it exits 0; parses its output. */
  run: <A>(args: ReadonlyArray<string>) => Promise<A>
  restartServer: (env?: Readonly<Record<string, string>>) => Promise<void>
  /** The server's configuration (what zkeb-admin needs to reach the same database and blobs). */
  serverEnv: () => Readonly<Record<string, string>>
  close: () => Promise<void>
}>

const zkebBin = path.join(repositoryRoot, 'client', 'cli', 'bin.js')

export const startSnapshotWorld = async (
  serverEnv: Readonly<Record<string, string>> = {},
): Promise<SnapshotWorld> => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'zkeb-snap-e2e-'))
  const dataDir = path.join(work, 'data')
  const blobDir = path.join(work, 'blobs')
  const logFile = path.join(work, 'server.log')
  const database = await createTestDatabase()
  const envFor = (extra: Readonly<Record<string, string>>) => ({
    DATA_DIR: dataDir,
    DATABASE_URL: database.ownerUrl,
    BLOB_STORE: 'fs',
    BLOB_DIR: blobDir,
    LOG_LEVEL: 'debug',
    ...serverEnv,
    ...extra,
  })
  let server = await startServerProcess(envFor({}), logFile)
  const username = `snap-${randomBytes(4).toString('hex')}`
  const password = `pw-${randomBytes(12).toString('base64url')}`
  const configDir = path.join(work, 'zkeb-config')
  const client = (args: ReadonlyArray<string>): RunningClient => {
    // The real executable in one process (no wrapper), so a SIGKILL reaches the client itself.
    const child = spawn(process.execPath, [zkebBin, ...args], {
      cwd: repositoryRoot,
      env: {
        PATH: process.env['PATH'] ?? '',
        ZKEB_CONFIG_DIR: configDir,
        ZKEB_SERVER: server.base,
        ZKEB_PASSWORD: password,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const done = new Promise<ClientRun>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    )
    return { child, done }
  }
  const run = async <A>(args: ReadonlyArray<string>): Promise<A> => {
    const result = await client([...args, '--json']).done
    if (result.code !== 0) throw new Error(`client ${args[0]} exited ${result.code}: ${result.stderr}`)
    return JSON.parse(result.stdout) as A
  }
  await run(['register', username])
  return {
    work,
    dataDir,
    blobDir,
    logFile,
    database,
    server: () => server,
    username,
    password,
    client,
    run,
    serverEnv: () => envFor({}),
    restartServer: async (env = {}) => {
      await server.stop()
      server = await startServerProcess(envFor(env), logFile)
    },
    close: async () => {
      await server.stop(1000)
      await database.drop()
      await rm(work, { recursive: true, force: true })
    },
  }
}

/** How many packs the server holds (cheap enough to poll). */
export const packCount = (databaseUrl: string): Promise<number> =>
  withPg(databaseUrl, async (c) =>
    Number((await c.query<{ n: string }>('select count(*) as n from zkeb.snapshot_packs')).rows[0]!.n),
  )

export type Holdings = Readonly<{
  packs: ReadonlyArray<Readonly<{ packId: string; sizeBytes: number }>>
  objects: ReadonlyMap<string, Readonly<{ packId: string; length: number }>>
  referenced: ReadonlySet<string>
}>

/** Every pack, indexed object and referenced id the server holds (all accounts: the world has one). */
export const holdings = (databaseUrl: string): Promise<Holdings> =>
  withPg(databaseUrl, async (c) => {
    const packs = await c.query<{ pack_id: Buffer; size_bytes: string }>(
      'select pack_id, size_bytes from zkeb.snapshot_packs order by created_at',
    )
    const objects = await c.query<{ object_id: Buffer; pack_id: Buffer; length_bytes: string }>(
      'select object_id, pack_id, length_bytes from zkeb.snapshot_objects',
    )
    const refs = await c.query<{ object_id: Buffer }>('select distinct object_id from zkeb.snapshot_refs')
    return {
      packs: packs.rows.map((r) => ({ packId: r.pack_id.toString('hex'), sizeBytes: Number(r.size_bytes) })),
      objects: new Map(
        objects.rows.map((r) => [
          r.object_id.toString('hex'),
          { packId: r.pack_id.toString('hex'), length: Number(r.length_bytes) },
        ]),
      ),
      referenced: new Set(refs.rows.map((r) => r.object_id.toString('hex'))),
    }
  })

/** Bytes of a pack whose objects are `lengths`: header, one (id, length) per object, the objects. */
export const packBytesOf = (lengths: ReadonlyArray<number>): number =>
  9 + 36 * lengths.length + lengths.reduce((a, b) => a + b, 0)

export type Entry = Readonly<{ type: string; mode: number; mtimeUs: bigint; size: bigint; digest: string }>

const sha256Of = (file: Buffer): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })

/** Every entry below `root` by raw relative path: type, permission bits, mtime (µs), size, SHA-256 or target. */
export const folderDigest = async (root: string): Promise<Map<string, Entry>> => {
  const out = new Map<string, Entry>()
  const walk = async (dir: Buffer, rel: string) => {
    for (const name of await readdir(dir, { encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), name])
      const key = rel === '' ? name.toString() : `${rel}/${name.toString()}`
      const st = await lstat(full, { bigint: true })
      const common = { mode: Number(st.mode & 0o7777n), mtimeUs: st.mtimeNs / 1000n }
      if (st.isDirectory()) {
        out.set(key, { type: 'dir', ...common, size: 0n, digest: '' })
        await walk(full, key)
      } else if (st.isSymbolicLink())
        out.set(key, {
          type: 'symlink',
          ...common,
          size: 0n,
          digest: (await readlink(full, { encoding: 'buffer' })).toString('hex'),
        })
      else out.set(key, { type: 'file', ...common, size: st.size, digest: await sha256Of(full) })
    }
  }
  await walk(Buffer.from(root), '')
  return out
}

/** The entries that differ between two digests (empty when the folders are the same). */
export const differences = (a: Map<string, Entry>, b: Map<string, Entry>): ReadonlyArray<string> => {
  const keys = new Set([...a.keys(), ...b.keys()])
  const show = (e: Entry | undefined) =>
    e === undefined ? 'absent' : JSON.stringify(e, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))
  return [...keys]
    .filter((k) => show(a.get(k)) !== show(b.get(k)))
    .map((k) => `${k}: ${show(a.get(k))} vs ${show(b.get(k))}`)
}

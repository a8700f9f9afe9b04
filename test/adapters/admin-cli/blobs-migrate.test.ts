/**
 * `zkeb-admin blobs migrate` on a populated embedded DATA_DIR (the real embedded PostgreSQL, the real
 * application through createZkeb): an existing folder stays on PostgreSQL until migrated; postgres → fs →
 * postgres leaves every backup and restic object byte-identical; a run killed with SIGKILL half way (the real
 * executable) loses nothing meanwhile and is finished by running it again.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import pg from 'pg'
import { main } from '../../../adapters/composition/admin-main'
import { ExitCode } from '../../../adapters/admin-cli/output'
import { createZkeb, loadConfig, type Zkeb } from '../../../adapters/composition'
import type { ResticCaller } from '../../../application/context'
import type { BackupId } from '../../../domain/ids'
import type { ResticObjectRef, ResticRepoName } from '../../../domain/restic'
import { filesUnder } from '../blobs/small-filesystem'
import {
  addDevice,
  anUpload,
  callerFor,
  inPieces,
  ok,
  register,
  type Registered,
} from '../../support/test-client'

const root = path.resolve(__dirname, '../../..')
const MiB = 1024 * 1024

type Held = Readonly<{
  registered: Registered
  backups: Array<{ backupId: BackupId; content: Uint8Array }>
  restic: Array<{ ref: ResticObjectRef; content: Uint8Array }>
}>

const collect = async (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

const resticCallerOf = (accountId: Registered['accountId']): ResticCaller => ({
  requestId: 'test-restic',
  tokenId: randomUUID() as ResticCaller['tokenId'],
  accountId,
  deviceId: null,
  repo: null,
  appendOnly: false,
})

/** A user with backups of several sizes (across the 256 KiB chunk size) and one restic pack. */
const populate = async (zkeb: Zkeb): Promise<Held> => {
  const registered = await register(zkeb.useCases)
  const caller = await callerFor(zkeb.useCases, registered)
  const { device, key } = await addDevice(zkeb.useCases, caller)
  const held: Held = { registered, backups: [], restic: [] }
  for (const size of [1, 100_000, 256 * 1024, MiB + 13, 3 * MiB + 7]) {
    const up = anUpload(device.deviceId, key, { content: randomBytes(size) })
    await ok(zkeb.useCases.uploadBackup(up.input, inPieces(up.content, 64 * 1024), caller))
    held.backups.push({ backupId: up.input.backupId, content: up.content })
  }
  await addRestic(zkeb, held)
  return held
}

const addRestic = async (zkeb: Zkeb, held: Held): Promise<void> => {
  const content = randomBytes(300_000)
  const name = createHash('sha256').update(content).digest('hex')
  const ref: ResticObjectRef = { repo: 'main' as ResticRepoName, type: 'data', name }
  await ok(
    zkeb.useCases.saveResticObject(
      { ref, contentLength: content.length },
      inPieces(content, 50_000),
      resticCallerOf(held.registered.accountId),
    ),
  )
  held.restic.push({ ref, content })
}

/** Every backup and restic object reads back exactly as uploaded. */
const expectIntact = async (zkeb: Zkeb, held: Held): Promise<void> => {
  const caller = await callerFor(zkeb.useCases, held.registered)
  for (const { backupId, content } of held.backups) {
    const download = await ok(zkeb.useCases.downloadBackup({ backupId }, caller))
    expect((await collect(download.content)).equals(content), backupId).to.equal(true)
  }
  for (const { ref, content } of held.restic) {
    const read = await ok(zkeb.useCases.readResticObject({ ref }, resticCallerOf(held.registered.accountId)))
    expect((await collect(read.content)).equals(content), ref.name).to.equal(true)
  }
}

describe('zkeb-admin blobs migrate (embedded DATA_DIR)', function () {
  this.timeout(300_000)
  let dataDir: string
  let held: Held
  const blobDir = () => path.join(dataDir, 'blobs')
  const config = (env: Record<string, string> = {}) =>
    loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env })
  const env = () => ({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
  const record = () => readFile(path.join(dataDir, 'blob-store'), 'utf8')
  const blobFiles = async () =>
    (await filesUnder(blobDir()).catch(() => [])).filter((f) => path.basename(f) !== '.zkeb-folder-id')

  /** Runs `work` against the application on DATA_DIR, and counts the blobs PostgreSQL holds meanwhile. */
  const withApp = async <A>(work: (zkeb: Zkeb, postgresBlobs: () => Promise<number>) => Promise<A>) => {
    const zkeb = await createZkeb(config())
    try {
      return await work(zkeb, async () => {
        const password = (
          await readFile(path.join(dataDir, 'secrets', 'postgres-superuser-password'), 'utf8')
        ).trim()
        const port = (await readFile(path.join(dataDir, 'postgres.port'), 'utf8')).trim()
        const client = new pg.Client({
          connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/zkeb`,
        })
        await client.connect()
        try {
          return Number(
            (await client.query<{ n: string }>('select count(*) as n from zkeb.blobs')).rows[0]?.n,
          )
        } finally {
          await client.end()
        }
      })
    } finally {
      await zkeb.close()
    }
  }

  const admin = async (argv: string[]) => {
    let out = ''
    let err = ''
    const code = await main([...argv, '--json'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: env(),
    })
    return {
      code,
      err,
      result: code === ExitCode.ok || out !== '' ? (JSON.parse(out) as Record<string, unknown>) : {},
    }
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-blobs-migrate-'))
  })
  after(() => rm(dataDir, { recursive: true, force: true }))

  it('keeps a folder whose database already holds blobs on PostgreSQL, and records that', async () => {
    // A DATA_DIR from before the fs store: its blobs are in PostgreSQL.
    const zkeb = await createZkeb(config({ BLOB_STORE: 'postgres' }))
    held = await populate(zkeb).finally(() => zkeb.close())
    await withApp(async (app, postgresBlobs) => {
      expect(await record()).to.equal('postgres\n')
      await expectIntact(app, held)
      expect(await postgresBlobs()).to.equal(6)
    })
    expect(await blobFiles()).to.deep.equal([])
  })

  it('moves every blob to the folder, verified, and serves each byte for byte from there', async () => {
    const run = await admin(['blobs', 'migrate', '--to', 'fs'])
    expect(run.code, run.err).to.equal(ExitCode.ok)
    expect(run.result).to.deep.include({ from: 'postgres', to: 'fs', moved: 6, mismatched: [], failed: [] })
    expect(await record()).to.equal('fs\n')
    expect(await blobFiles()).to.have.length(6)
    await withApp(async (app, postgresBlobs) => {
      expect(await postgresBlobs()).to.equal(0)
      await expectIntact(app, held)
      await addRestic(app, held) // a new blob goes to the folder
    })
    expect(await blobFiles()).to.have.length(7)
  })

  it('moves them all back to PostgreSQL', async () => {
    const run = await admin(['blobs', 'migrate', '--to', 'postgres'])
    expect(run.code, run.err).to.equal(ExitCode.ok)
    expect(run.result).to.deep.include({ from: 'fs', to: 'postgres', moved: 7 })
    expect(await record()).to.equal('postgres\n')
    expect(await blobFiles()).to.deep.equal([])
    await withApp(async (app, postgresBlobs) => {
      expect(await postgresBlobs()).to.equal(7)
      await expectIntact(app, held)
    })
  })

  it('loses nothing when killed half way (SIGKILL), and finishes when run again', async () => {
    const child = spawn(
      process.execPath,
      ['adapters/admin-cli/bin.js', 'blobs', 'migrate', '--to', 'fs', '--throttle-ms', '500'],
      { cwd: root, env: { ...process.env, ...env() }, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    for (const at = Date.now(); (await blobFiles()).length < 2; await new Promise((r) => setTimeout(r, 50)))
      if (Date.now() - at > 120_000 || child.exitCode !== null) throw new Error(`never got going: ${stderr}`)
    child.kill('SIGKILL')
    expect(await exited).to.deep.equal({ code: null, signal: 'SIGKILL' })
    const movedBeforeKill = (await blobFiles()).length
    expect(movedBeforeKill).to.be.within(2, 6)

    // Half moved: the server serves every blob from wherever it is.
    await withApp(async (app, postgresBlobs) => {
      expect(await record()).to.equal('fs\n')
      expect((await postgresBlobs()) + movedBeforeKill).to.be.within(7, 8) // one may be in both
      await expectIntact(app, held)
    })

    const run = await admin(['blobs', 'migrate', '--to', 'fs'])
    expect(run.code, run.err).to.equal(ExitCode.ok)
    expect(run.result['moved']).to.be.within(7 - movedBeforeKill, 8 - movedBeforeKill)
    expect(await blobFiles()).to.have.length(7)
    await withApp(async (app, postgresBlobs) => {
      expect(await postgresBlobs()).to.equal(0)
      await expectIntact(app, held)
    })
  })
})

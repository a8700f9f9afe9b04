/**
 * The proof that the server learns nothing: the real server process (PostgreSQL, Redis store, debug logs) serves a
 * whole account life driven by the SDK, then every byte it holds or wrote is searched for the client's secrets
 * and for the exact plaintext length of a padded file. A self-check first plants one canary in each source and
 * requires the scan to find it, so a scan that reads nothing cannot pass.
 */
import { randomBytes } from 'node:crypto'
import { appendFile, mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { requireRedis, startRedisServer, type RedisServer } from '../support/redis'
import { distinctiveLength, runJourney, type JourneyResult } from './support/journey'
import { scan, sourcesWithNumber, type Secret, type Source } from './support/secret-scanner'
import {
  blobChunks,
  pgDump,
  pgDumpUsable,
  redisKeyspace,
  serverFiles,
  tableRows,
  withPg,
} from './support/server-holdings'
import { startServerProcess, type ServerProcess } from './support/server-process'

describe('zero knowledge: the server holds and writes nothing it could read', function () {
  this.timeout(240_000)
  let database: TestDatabase | undefined
  let redis: RedisServer | undefined
  let server: ServerProcess | undefined
  let dataDir: string
  let logFile: string
  let journey: JourneyResult
  let withPgDump = false

  const holdings = async (): Promise<ReadonlyArray<Source>> => [
    ...(withPgDump ? [await pgDump(database!.ownerUrl)] : []),
    await tableRows(database!.ownerUrl),
    ...(await blobChunks(database!.ownerUrl)),
    ...(await redisKeyspace(redis!.url)),
    ...(await serverFiles(dataDir, logFile)),
  ]

  before(async function () {
    requireRedis(this)
    const work = await mkdtemp(path.join(os.tmpdir(), 'zkeb-zk-scan-'))
    dataDir = path.join(work, 'data')
    logFile = path.join(work, 'server.log')
    database = await createTestDatabase()
    withPgDump = await pgDumpUsable(database.ownerUrl)
    if (!withPgDump && process.env['CI'])
      throw new Error('pg_dump is missing or older than the server (CI never skips it)')
    redis = await startRedisServer()
    server = await startServerProcess(
      {
        DATA_DIR: dataDir,
        DATABASE_URL: database.ownerUrl,
        STORE: 'redis',
        REDIS_URL: redis.url,
        LOG_LEVEL: 'debug',
      },
      logFile,
    )
    journey = await runJourney(server.base, `zk-${randomBytes(4).toString('hex')}`)
    expect(await server.stop()).to.equal(0)
  })

  after(async () => {
    await server?.stop(1000)
    await database?.drop()
    redis?.stop()
    if (logFile !== undefined) await rm(path.dirname(logFile), { recursive: true, force: true })
  })

  const secret = (label: string): Secret => {
    const found = journey.secrets.find((s) => s.label.startsWith(label))
    if (found === undefined) throw new Error(`no secret ${label}`)
    return found
  }

  it('remembered the secrets it must look for', () => {
    const labels = journey.secrets.map((s) => s.label)
    for (const kind of ['marker', 'password', 'recovery key', 'export key', 'UMK', 'DEK', 'refresh token'])
      expect(
        labels.some((l) => l.startsWith(kind)),
        kind,
      ).to.equal(true)
    expect(labels.filter((l) => l.startsWith('DEK'))).to.have.length(6)
    expect(labels.filter((l) => l.startsWith('password'))).to.have.length(3)
  })

  it('finds a canary planted in each source (the scan can fail)', async () => {
    const dek = secret('DEK')
    const umk = secret('UMK after rotation')
    const [nameMarker, contentMarker] = [journey.markers[5]!, journey.markers[0]!]
    const password = secret('password 1')
    const logSize = (await stat(logFile)).size
    await withPg(database!.ownerUrl, async (c) => {
      await c.query('create table public.zkeb_scan_canary (data bytea)')
      await c.query('insert into public.zkeb_scan_canary values ($1)', [Buffer.from(dek.bytes)])
      await c.query(
        `insert into zkeb.blob_chunks (account_id, blob_id, seq, data)
         select account_id, blob_id, 2147483647, $1 from zkeb.blobs limit 1`,
        [Buffer.from(contentMarker)],
      )
    })
    const canaryRedis = new Redis(redis!.url)
    await canaryRedis.set('zkeb:canary', Buffer.from(umk.bytes).toString('base64url'))
    await appendFile(
      logFile,
      `{"level":20,"msg":"canary","name":"${nameMarker}","size":${distinctiveLength}}\n`,
    )
    await writeFile(path.join(dataDir, 'canary'), password.bytes)
    try {
      const sources = await holdings()
      const findings = scan(sources, journey.secrets)
      const where = (label: string) => findings.filter((f) => f.secret.startsWith(label)).map((f) => f.source)
      expect(where(dek.label)).to.include('table rows')
      if (withPgDump) expect(where(dek.label)).to.include('pg_dump')
      expect(where(`marker ${contentMarker}`).some((s) => s.startsWith('blob '))).to.equal(true)
      expect(where(umk.label)).to.include('redis zkeb:canary')
      expect(where(`marker ${nameMarker}`)).to.include('server log')
      expect(where(password.label)).to.include('DATA_DIR canary')
      expect(sourcesWithNumber(sources, distinctiveLength)).to.deep.equal(['server log'])
    } finally {
      await withPg(database!.ownerUrl, async (c) => {
        await c.query('drop table public.zkeb_scan_canary')
        await c.query('delete from zkeb.blob_chunks where seq = 2147483647')
      })
      await canaryRedis.del('zkeb:canary')
      canaryRedis.disconnect()
      await truncate(logFile, logSize)
      await rm(path.join(dataDir, 'canary'))
    }
  })

  it('holds no marker, password, recovery key, export key, UMK, DEK, device key or token in any encoding', async () => {
    const sources = await holdings()
    expect(sources.map((s) => s.name)).to.include.members(['table rows', 'server log'])
    expect(sources.filter((s) => s.name.startsWith('blob '))).to.have.length(6)
    expect(sources.filter((s) => s.name.startsWith('redis ')).length).to.be.greaterThan(0)
    expect((await stat(logFile)).size).to.be.greaterThan(0)
    expect(scan(sources, journey.secrets)).to.deep.equal([])
  })

  it('stores the padded ciphertext size, never the exact plaintext length', async () => {
    const sizes = await withPg(database!.ownerUrl, async (c) => {
      const backups = await c.query<{ size_bytes: string }>(
        'select size_bytes from zkeb.backups where backup_id = $1',
        [journey.distinctiveBackupId],
      )
      const all = await c.query<{ size_bytes: string }>(
        'select size_bytes from zkeb.backups union all select size_bytes from zkeb.blobs',
      )
      return {
        distinctive: Number(backups.rows[0]?.size_bytes),
        all: all.rows.map((r) => Number(r.size_bytes)),
      }
    })
    expect(sizes.distinctive).to.be.greaterThan(distinctiveLength)
    expect(sizes.all).not.to.include(distinctiveLength)
    expect(sourcesWithNumber(await holdings(), distinctiveLength)).to.deep.equal([])
  })
})

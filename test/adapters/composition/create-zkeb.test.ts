import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { createZkeb, loadConfig, StartupError, type Zkeb } from '../../../adapters/composition'
import { createOpaqueServerSetup } from '../../../adapters/crypto/serenity-opaque-server'
import { keysIn } from '../../contracts/s3-blobs'
import { s3ForTest } from '../../support/s3rver'
import { redisUrl } from '../../support/redis'
import { addDevice, anUpload, callerFor, inPieces, ok, register } from '../../support/test-client'

const withClient = async <A>(url: string, run: (c: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** DATABASE_URL for a fresh database on TEST_DATABASE_URL's server; without it, the embedded default. */
const useFreshDatabase = async (): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> => {
  const serverUrl = process.env['TEST_DATABASE_URL']
  if (serverUrl === undefined || serverUrl === '') return { env: {}, drop: () => Promise.resolve() }
  const name = `zkeb_compose_${randomBytes(6).toString('hex')}`
  await withClient(serverUrl, (c) => c.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const drop = () =>
    withClient(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(
      () => undefined,
    )
  return { env: { DATABASE_URL: url.toString() }, drop }
}

/** The embedded server's superuser URL, from what it keeps in DATA_DIR. */
const embeddedOwnerUrl = async (dataDir: string): Promise<string> => {
  const password = (
    await readFile(path.join(dataDir, 'secrets', 'postgres-superuser-password'), 'utf8')
  ).trim()
  const port = (await readFile(path.join(dataDir, 'postgres.port'), 'utf8')).trim()
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/zkeb`
}

const rejectionOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

describe('createZkeb (the application in-process)', function () {
  this.timeout(90_000)
  let dataDir: string
  let database: Awaited<ReturnType<typeof useFreshDatabase>>
  let zkeb: Zkeb | undefined

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-compose-'))
    database = await useFreshDatabase()
  })
  afterEach(async () => {
    await zkeb?.close()
    zkeb = undefined
    await database.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const config = (extra: Record<string, string> = {}) =>
    loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...database.env, ...extra })

  it('boots every use case on a migrated database and reports each dependency ready', async () => {
    zkeb = await createZkeb(config())
    expect(await zkeb.useCases.checkReadiness()()).to.deep.equal({
      ready: true,
      checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
    })
    expect(await zkeb.useCases.purgeExpiredTrash()()).to.deep.equal({ _tag: 'Right', right: { purged: 0 } })
  })

  it('runs the application as zkeb_app, a role that owns nothing and cannot bypass row-level security', async () => {
    zkeb = await createZkeb(config())
    await zkeb.useCases.checkReadiness()() // leaves an idle pooled connection to look at
    const ownerUrl = database.env['DATABASE_URL'] ?? (await embeddedOwnerUrl(dataDir))
    const { rows } = await withClient(ownerUrl, (c) =>
      c.query<{ usename: string; rolbypassrls: boolean; rolsuper: boolean }>(
        `select a.usename, r.rolbypassrls, r.rolsuper from pg_stat_activity a join pg_roles r on r.rolname = a.usename
         where a.application_name = 'zkeb' and a.datname = current_database()`,
      ),
    )
    expect(rows).to.not.be.empty
    for (const row of rows)
      expect(row).to.deep.equal({ usename: 'zkeb_app', rolbypassrls: false, rolsuper: false })
  })

  it('generates its OPAQUE setup and token secret once, readable by their owner only, and keeps them', async () => {
    zkeb = await createZkeb(config())
    const files = ['opaque-server-setup', 'token-secret'].map((name) => path.join(dataDir, 'secrets', name))
    const first = await Promise.all(files.map((f) => readFile(f, 'utf8')))
    for (const file of files) expect((await stat(file)).mode & 0o777).to.equal(0o600)
    await zkeb.close()

    zkeb = await createZkeb(config())
    expect(await Promise.all(files.map((f) => readFile(f, 'utf8')))).to.deep.equal(first)
  })

  it('uses configured secrets without writing any to DATA_DIR', async () => {
    zkeb = await createZkeb(
      config({
        OPAQUE_SERVER_SETUP: await createOpaqueServerSetup(),
        TOKEN_SECRET: randomBytes(32).toString('hex'),
      }),
    )
    const written = await stat(path.join(dataDir, 'secrets', 'token-secret')).catch(() => null)
    expect(written).to.equal(null)
  })

  it("with PERSISTENCE=memory, runs every use case and the operator's side on the in-memory twins alone", async () => {
    const unused = path.join(dataDir, 'unused')
    zkeb = await createZkeb(loadConfig({ NODE_ENV: 'test', PERSISTENCE: 'memory', DATA_DIR: unused }))
    expect(await zkeb.useCases.checkReadiness()()).to.deep.equal({
      ready: true,
      checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
    })
    const caller = await callerFor(zkeb.useCases, await register(zkeb.useCases))
    const { device, key } = await addDevice(zkeb.useCases, caller)
    const up = anUpload(device.deviceId, key, { content: randomBytes(50_000) })
    const { backup } = await ok(zkeb.useCases.uploadBackup(up.input, inPieces(up.content), caller))
    const download = await ok(zkeb.useCases.downloadBackup({ backupId: backup.backupId }, caller))
    const parts: Uint8Array[] = []
    for await (const chunk of download.content) parts.push(chunk)
    expect(Buffer.concat(parts).equals(up.content)).to.equal(true)
    expect(await ok(zkeb.admin.getServiceStats())).to.deep.include({
      accounts: 1,
      liveBackups: 1,
      blobs: 1,
      blobBytes: backup.sizeBytes,
    })
    expect(await stat(unused).catch(() => null)).to.equal(null)
  })

  it('keeps sessions, pending logins and rate limits in Redis when STORE=redis', async () => {
    zkeb = await createZkeb(config({ STORE: 'redis', REDIS_URL: await redisUrl() }))
    expect(await zkeb.useCases.checkReadiness()()).to.deep.equal({
      ready: true,
      checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
    })
  })

  it('refuses to start in one line when Redis does not answer, and stops what it had started', async () => {
    const error = await rejectionOf(createZkeb(config({ STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:1' })))
    expect(error).to.be.instanceOf(StartupError)
    expect(error.message).to.equal('Redis at 127.0.0.1:1 (REDIS_URL) does not answer: ECONNREFUSED')
    zkeb = await createZkeb(config()) // DATA_DIR and its database were released
    expect((await zkeb.useCases.checkReadiness()()).ready).to.equal(true)
  })

  it('keeps blobs in an S3 bucket when BLOB_STORE=s3, named by account, with HeadBucket as the blobs check', async () => {
    const { client, bucket, server } = await s3ForTest()
    const { endpoint, credentials } = server.connection
    zkeb = await createZkeb(
      config({
        BLOB_STORE: 's3',
        S3_ENDPOINT: endpoint ?? '',
        S3_BUCKET: bucket,
        S3_ACCESS_KEY_ID: credentials?.accessKeyId ?? '',
        S3_SECRET_ACCESS_KEY: credentials?.secretAccessKey ?? '',
        S3_FORCE_PATH_STYLE: 'true',
      }),
    )
    expect(await zkeb.useCases.checkReadiness()()).to.deep.equal({
      ready: true,
      checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
    })
    const caller = await callerFor(zkeb.useCases, await register(zkeb.useCases))
    const { device, key } = await addDevice(zkeb.useCases, caller)
    const up = anUpload(device.deviceId, key, { content: randomBytes(100_000) })
    const { backup } = await ok(zkeb.useCases.uploadBackup(up.input, inPieces(up.content), caller))
    expect(await keysIn(client, bucket)).to.deep.equal([`${caller.accountId}/${backup.blobId}`])
    const download = await ok(zkeb.useCases.downloadBackup({ backupId: backup.backupId }, caller))
    const parts: Uint8Array[] = []
    for await (const chunk of download.content) parts.push(chunk)
    expect(Buffer.concat(parts).equals(up.content)).to.equal(true)
    expect(await ok(zkeb.useCases.collectGarbageBlobs())).to.deep.equal({ unreferenced: 0, collected: 0 })
    client.destroy()
  })

  it('refuses to start in one line when the S3 bucket does not answer', async () => {
    const { server } = await s3ForTest()
    const error = await rejectionOf(
      createZkeb(
        config({
          BLOB_STORE: 's3',
          S3_ENDPOINT: server.connection.endpoint ?? '',
          S3_BUCKET: 'no-such-bucket',
          S3_ACCESS_KEY_ID: 'S3RVER',
          S3_SECRET_ACCESS_KEY: 'S3RVER',
          S3_FORCE_PATH_STYLE: 'true',
        }),
      ),
    )
    expect(error).to.be.instanceOf(StartupError)
    expect(error.message).to.match(
      /^S3 bucket no-such-bucket at 127\.0\.0\.1:\d+ \(S3_BUCKET, S3_ENDPOINT\) does not answer: /,
    )
  })
})

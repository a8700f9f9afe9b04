/**
 * The scale-out path bench/RESULTS.md describes: two real server processes whose application pools reach
 * PostgreSQL through one PgBouncer in transaction mode (Debian's), ten client connections sharing two server
 * connections. Row-level security must still hold: each transaction sets its account with a transaction-local
 * `set_config`, so a server connection handed to another client carries no account, and another account's
 * rows stay invisible. The scoped reads, the uploads (chunks in PostgreSQL) and the downloads must work.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import pg from 'pg'
import { migrate } from '../../adapters/composition/runtime'
import { createOpaqueServerSetup } from '../../adapters/crypto/serenity-opaque-server'
import { freePort, runProcess, type Running, untilHealthy } from '../../ops/drill/processes'
import { aUserWithDevice, httpCaller, uploadOverHttp } from '../adapters/http/http-test-kit'
import { requirePgbouncer, startPgBouncer, type PgBouncer } from '../support/pgbouncer'
import { requireRedis, redisUrl } from '../support/redis'
import { freshDatabase } from '../support/server-process'
import { anUpload } from '../support/test-client'

const poolSize = 2

const withClient = async <A>(url: string, run: (c: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

const listedIds = async (call: ReturnType<typeof httpCaller>, token: string): Promise<string[]> => {
  const res = await call('GET', '/api/v1/backups', { token })
  expect(res.status).to.equal(200)
  const { items } = (await res.json()) as { items: ReadonlyArray<{ backupId: string }> }
  return items.map((i) => i.backupId).sort()
}

describe('Two instances through PgBouncer in transaction mode', function () {
  this.timeout(180_000)
  let dir: string | undefined
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let bouncer: PgBouncer | undefined
  const role = `zkeb_pgb_${randomBytes(4).toString('hex')}`
  const password = randomBytes(18).toString('base64url')
  let appUrl: string
  const started: Array<Running> = []
  const instances: Array<ReturnType<typeof httpCaller>> = []

  before(async function () {
    const binary = requirePgbouncer(this)
    requireRedis(this)
    database = await freshDatabase('zkeb_pgbouncer')
    if (database === null) {
      if (process.env['CI']) throw new Error('TEST_DATABASE_URL is required in CI')
      this.skip()
    }
    await migrate(database.url)
    // A login role of its own, with zkeb_app's grants: zkeb_app's password belongs to whichever test set it last.
    await withClient(database.url, async (c) => {
      await c.query(`create role ${role} login nobypassrls password ${c.escapeLiteral(password)}`)
      await c.query(`grant zkeb_app to ${role}`)
    })
    bouncer = await startPgBouncer(binary, { serverUrl: database.url, user: role, password, poolSize })
    appUrl = bouncer.urlFor(role, password)
    dir = await mkdtemp(path.join(tmpdir(), 'zkeb-pgbouncer-instances-'))
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      DATABASE_APP_URL: appUrl,
      DATABASE_POOL_MAX: '5',
      STORE: 'redis',
      REDIS_URL: await redisUrl(),
      OPAQUE_SERVER_SETUP: await createOpaqueServerSetup(),
      TOKEN_SECRET: randomBytes(32).toString('base64url'),
      MIGRATE_ON_START: 'false',
      OPAQUE_WORKERS: '1',
      LOG_LEVEL: 'warn',
    }
    for (const name of ['one', 'two']) {
      const port = await freePort()
      const args = ['--import', 'tsx', 'adapters/composition/main.ts']
      started.push(
        runProcess(name, port, process.execPath, args, {
          ...env,
          PORT: String(port),
          DATA_DIR: path.join(dir, name),
        }),
      )
      instances.push(httpCaller(`http://127.0.0.1:${port}`))
    }
    await Promise.all(started.map((instance) => untilHealthy(instance, 120_000)))
  })
  after(async () => {
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL')
    await bouncer?.stop()
    if (database !== null && database !== undefined) {
      await database.drop()
      await withClient(process.env['TEST_DATABASE_URL']!, (c) => c.query(`drop role if exists ${role}`))
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('uploads through one instance, lists and downloads through the other; other accounts see none of it', async () => {
    const [one, two] = [{ call: instances[0]! }, { call: instances[1]! }]
    const owner = await aUserWithDevice(one)
    const stranger = await aUserWithDevice(two)
    // Several 256 KiB chunks per upload, in batches over the pooled connection.
    const uploads = [0, 1].map(() =>
      anUpload(owner.device.deviceId, owner.device.key, { content: randomBytes(700 * 1024) }),
    )
    expect((await uploadOverHttp(one, owner.token, uploads[0]!)).status).to.equal(201)
    expect((await uploadOverHttp(two, owner.token, uploads[1]!)).status).to.equal(201)
    const ids = uploads.map((u) => u.input.backupId).sort()
    for (const instance of instances) expect(await listedIds(instance, owner.token)).to.deep.equal(ids)
    for (const [i, upload] of uploads.entries()) {
      const res = await instances[1 - i]!('GET', `/api/v1/backups/${upload.input.backupId}/content`, {
        token: owner.token,
      })
      expect(res.status).to.equal(200)
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(upload.content))).to.equal(true)
    }
    for (const instance of instances) {
      expect(await listedIds(instance, stranger.token)).to.deep.equal([])
      const res = await instance('GET', `/api/v1/backups/${uploads[0]!.input.backupId}`, {
        token: stranger.token,
      })
      expect(res.status).to.equal(404)
      await res.arrayBuffer()
    }
  })

  it('keeps each account to its own rows while many clients share two server connections', async () => {
    const [a, b] = [
      await aUserWithDevice({ call: instances[0]! }),
      await aUserWithDevice({ call: instances[1]! }),
    ]
    const mine = anUpload(a.device.deviceId, a.device.key)
    expect((await uploadOverHttp({ call: instances[0]! }, a.token, mine)).status).to.equal(201)
    // Interleaved reads of both accounts over both instances: 10 pool connections, 2 server connections.
    const reads = Array.from({ length: 40 }, (_, i) => {
      const [who, expected] = i % 2 === 0 ? [a, [mine.input.backupId]] : [b, []]
      return listedIds(instances[i % 4 < 2 ? 0 : 1]!, who.token).then((ids) => ({ ids, expected }))
    })
    for (const { ids, expected } of await Promise.all(reads)) expect(ids).to.deep.equal(expected)

    const backends = await withClient(database!.url, (c) =>
      c.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where usename = $1', [role]),
    )
    expect(backends.rows[0]!.n, 'server connections of the pooled role').to.be.at.most(poolSize)
  })

  it('leaves no account on a server connection after a transaction: set_config is transaction-local', async () => {
    await withClient(appUrl, async (c) => {
      const { rows: accounts } = await withClient(database!.url, (owner) =>
        owner.query<{ id: string }>('select account_id as id from zkeb.accounts limit 1'),
      )
      await c.query('begin')
      await c.query("select set_config('zkeb.account_id', $1, true)", [accounts[0]!.id])
      const inside = await c.query<{ n: number }>('select count(*)::int as n from zkeb.devices')
      expect(inside.rows[0]!.n).to.be.above(0)
      await c.query('commit')
      // Each statement below is its own transaction, on whichever server connection PgBouncer picks.
      for (let i = 0; i < 2 * poolSize; i++) {
        const left = await c.query<{ account: string | null }>(
          "select nullif(current_setting('zkeb.account_id', true), '') as account",
        )
        expect(left.rows[0]!.account).to.equal(null)
        const visible = await c.query<{ n: number }>('select count(*)::int as n from zkeb.devices')
        expect(visible.rows[0]!.n, 'rows visible with no account set').to.equal(0)
      }
    })
  })
})

/**
 * Several instances: two real API processes (`node --import tsx adapters/composition/main.ts`, NODE_ENV=production,
 * STORE=redis) on one PostgreSQL and one Redis, behind nginx (Debian's) balancing round-robin — the drill's
 * helpers in ops/drill. Shows that nothing that matters lives in one process: a session made on one works on
 * the other, a logout on one revokes on both, rate limits are counted once across both, and a backup uploaded
 * through either is visible through both (and through the balancer, which reaches both).
 */
import { execFileSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import { migrate } from '../../adapters/composition/runtime'
import { createOpaqueServerSetup } from '../../adapters/crypto/serenity-opaque-server'
import { startNginx, type Nginx } from '../../ops/drill/nginx'
import { freePort, runProcess, type Running, untilHealthy, waitFor } from '../../ops/drill/processes'
import { aUserWithDevice, httpCaller, uploadOverHttp } from '../adapters/http/http-test-kit'
import { requireRedis, startRedisServer, type RedisServer } from '../support/redis'
import { freshDatabase } from '../support/server-process'
import { anUpload } from '../support/test-client'

const nginxAvailable = (): boolean => {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const status = async (res: Response): Promise<number> => (await res.arrayBuffer(), res.status)

describe('Several instances behind nginx (one PostgreSQL, one Redis)', function () {
  this.timeout(90_000)
  let dir: string
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let redis: RedisServer | undefined
  let nginx: Nginx | undefined
  const started: Array<Running> = []
  const [a, b, lb] = [{ call: httpCaller('') }, { call: httpCaller('') }, { call: httpCaller('') }]

  before(async function () {
    requireRedis(this)
    if (!nginxAvailable()) {
      if (process.env['CI'])
        throw new Error('nginx not found: the two-instance test cannot run (CI never skips it)')
      this.skip()
    }
    database = await freshDatabase('zkeb_two')
    if (database === null) {
      if (process.env['CI']) throw new Error('TEST_DATABASE_URL is required in CI')
      this.skip()
    }
    dir = await mkdtemp(path.join(tmpdir(), 'zkeb-two-'))
    redis = await startRedisServer()
    await migrate(database.url)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      STORE: 'redis',
      REDIS_URL: redis.url,
      OPAQUE_SERVER_SETUP: await createOpaqueServerSetup(),
      TOKEN_SECRET: randomBytes(32).toString('base64url'),
      MIGRATE_ON_START: 'false',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'warn',
    }
    const instances = await Promise.all(
      ['one', 'two'].map(async (name) => {
        const port = await freePort()
        const instance = runProcess(
          name,
          port,
          process.execPath,
          ['--import', 'tsx', 'adapters/composition/main.ts'],
          {
            ...env,
            PORT: String(port),
            DATA_DIR: path.join(dir, name),
          },
        )
        started.push(instance)
        return instance
      }),
    )
    await Promise.all(instances.map((instance) => untilHealthy(instance)))
    const balancer = await startNginx(
      path.join(dir, 'nginx'),
      instances.map((i) => i.port),
    )
    nginx = balancer.nginx
    started.push(balancer.master)
    a.call = httpCaller(`http://127.0.0.1:${instances[0]!.port}`)
    b.call = httpCaller(`http://127.0.0.1:${instances[1]!.port}`)
    lb.call = httpCaller(`http://127.0.0.1:${nginx.port}`)
    // nginx's master is spawned, not yet listening: wait until it answers through to an instance.
    await waitFor('nginx to answer', 10_000, () =>
      lb
        .call('GET', '/api/health/live')
        .then(status, () => 0)
        .then((s) => s === 200),
    )
  })
  after(async () => {
    await nginx?.stop().catch(() => undefined)
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL')
    redis?.stop()
    await database?.drop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('nginx spreads requests over both instances', async () => {
    const upstreams = new Set<string>()
    for (let i = 0; i < 6; i++) {
      const res = await lb.call('GET', '/api/health/live')
      upstreams.add(res.headers.get('x-upstream') ?? '?')
      expect(await status(res)).to.equal(200)
    }
    expect(upstreams.size).to.equal(2)
  })

  it('a session made on one works on the other; a logout on one revokes it on both', async () => {
    const user = await aUserWithDevice(a)
    for (const instance of [a, b, lb])
      expect(await status(await instance.call('GET', '/api/v1/account', { token: user.token }))).to.equal(200)
    expect(await status(await b.call('DELETE', '/api/v1/sessions/current', { token: user.token }))).to.equal(
      204,
    )
    for (const instance of [a, b])
      expect(await status(await instance.call('GET', '/api/v1/account', { token: user.token }))).to.equal(401)
  })

  it('rate limits are counted once across both instances', async () => {
    await opaque.ready
    // One client address (as nginx would forward it), fresh usernames: only the per-IP login rule applies.
    const clientIp = `203.0.113.${Math.floor(Math.random() * 200) + 1}`
    const answers: Array<number> = []
    for (let i = 0; i < 16; i++) {
      const res = await (i % 2 === 0 ? a : b).call('POST', '/api/v1/sessions/start', {
        headers: { 'X-Forwarded-For': clientIp },
        json: {
          username: `nobody-${randomUUID().slice(0, 8)}`,
          startLoginRequest: opaque.client.startLogin({ password: 'x' }).startLoginRequest,
        },
      })
      answers.push(await status(res))
    }
    // The login rule allows 10 a minute per address: 10 answered in all, not 10 per instance.
    expect(answers.filter((s) => s === 200)).to.have.length(10)
    expect(answers.slice(10)).to.deep.equal([429, 429, 429, 429, 429, 429])
  })

  it('a backup uploaded through either instance is visible through both', async () => {
    const user = await aUserWithDevice(lb)
    const viaA = anUpload(user.device.deviceId, user.device.key)
    const viaB = anUpload(user.device.deviceId, user.device.key)
    expect(await status(await uploadOverHttp(a, user.token, viaA))).to.equal(201)
    expect(await status(await uploadOverHttp(b, user.token, viaB))).to.equal(201)
    for (const instance of [a, b, lb]) {
      const res = await instance.call('GET', '/api/v1/backups', { token: user.token })
      const { items } = (await res.json()) as { items: ReadonlyArray<{ backupId: string }> }
      expect(items.map((i) => i.backupId).sort()).to.deep.equal(
        [viaA.input.backupId, viaB.input.backupId].sort(),
      )
    }
    const download = await b.call('GET', `/api/v1/backups/${viaA.input.backupId}/content`, {
      token: user.token,
    })
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(viaA.content))).to.equal(true)
  })
})

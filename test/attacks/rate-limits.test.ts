/**
 * Rate limits on every limited route class, by every subject (client IP, username, account), with their
 * RateLimit-* and Retry-After headers: once on one instance with the in-process limiter, and once on two
 * instances sharing one Redis, where the limit must be global (calls alternate between the instances).
 * Client IPs come from X-Forwarded-For (trustProxy), so IP and username limits can be told apart.
 */
import { randomUUID } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import { createRedis, redisReady } from '../../adapters/cache/redis/create-redis'
import { redisRateLimiter } from '../../adapters/cache/redis/redis-rate-limiter'
import { createHttpApp, defaultHttpLimits } from '../../adapters/http/create-http-app'
import type { RateLimitRules } from '../../adapters/http/middleware/rate-limit'
import { startHttpServer, type RunningHttpServer } from '../../adapters/http/start-http-server'
import { inMemoryRateLimiter } from '../../adapters/in-memory/in-memory-rate-limiter'
import type { RateLimiter } from '../../application/ports/rate-limiter'
import { inMemoryZkeb, type InMemoryZkeb } from '../support/in-memory-zkeb'
import { redisForTest, redisUrl, requireRedis, type TestRedis } from '../support/redis'
import { aUsername } from '../support/test-client'
import { aUserWithDevice, logInOverHttp, type CallOptions } from '../adapters/http/http-test-kit'
import { callerFor } from './attack-kit'

const points = 3
const rule = (name: keyof RateLimitRules) => ({ name: `${name}-${randomUUID()}`, points, windowSeconds: 60 })
/** Fresh rule names per run, so counters left in a shared Redis never carry over. */
const tightRules = (): RateLimitRules => ({
  login: rule('login'),
  registration: rule('registration'),
  recovery: rule('recovery'),
  refresh: rule('refresh'),
  account: rule('account'),
  resticAuth: rule('resticAuth'),
})

type Instances = Readonly<{
  /** Alternates between the instances, one call each. */
  call: (method: string, path: string, options?: CallOptions) => Promise<Response>
  /** The first instance only, for setup calls. */
  first: { call: (method: string, path: string, options?: CallOptions) => Promise<Response> }
  close: () => Promise<void>
}>

const startInstances = async (
  zkeb: InMemoryZkeb,
  limiters: ReadonlyArray<RateLimiter>,
): Promise<Instances> => {
  const rateLimits = tightRules()
  const servers: RunningHttpServer[] = []
  for (const rateLimiter of limiters) {
    const app = createHttpApp({
      useCases: zkeb.useCases,
      rateLimiter,
      rateLimits,
      limits: defaultHttpLimits,
      version: 'rate-1',
      trustProxy: true,
    })
    servers.push(await startHttpServer(app, { port: 0, host: '127.0.0.1' }))
  }
  const callers = servers.map((s) => callerFor(`http://127.0.0.1:${s.port}`))
  let turn = 0
  return {
    call: (method, path, options) => callers[turn++ % callers.length]!(method, path, options),
    first: { call: callers[0]! },
    close: async () => {
      await Promise.all(servers.map((s) => s.close(500)))
    },
  }
}

const ip = (n: number): Record<string, string> => ({ 'X-Forwarded-For': `203.0.113.${n}` })
let nextIp = 1
const freshIp = (): Record<string, string> => ip(nextIp++ % 250)

/** Spends `points` calls (each must pass with decreasing RateLimit-Remaining), then expects a 429. */
const expectLimitedAfterPoints = async (send: () => Promise<Response>, label: string): Promise<void> => {
  for (let i = 0; i < points; i++) {
    const res = await send()
    const body = await res.text()
    expect(res.status, `${label} #${i + 1}: ${body}`).not.to.equal(429)
    expect(res.headers.get('ratelimit-limit'), label).to.equal(String(points))
    expect(Number(res.headers.get('ratelimit-remaining')), label).to.be.at.most(points - 1 - i)
    expect(Number(res.headers.get('ratelimit-reset')), label).to.be.within(1, 60)
  }
  const limited = await send()
  const body = (await limited.json()) as { error: { code: string } }
  expect(limited.status, label).to.equal(429)
  expect(body.error.code).to.equal('rate-limited')
  expect(Number(limited.headers.get('retry-after')), label).to.be.within(1, 60)
  expect(limited.headers.get('ratelimit-remaining'), label).to.equal('0')
  expect(Number(limited.headers.get('ratelimit-reset')), label).to.be.within(1, 60)
}

const setups = [
  {
    name: 'one instance, in-process limiter',
    open: (zkeb: InMemoryZkeb) =>
      Promise.resolve({ limiters: [inMemoryRateLimiter(zkeb.clock)], close: () => Promise.resolve() }),
  },
  {
    name: 'two instances sharing one Redis (STORE=redis)',
    open: async () => {
      const first: TestRedis = await redisForTest()
      // A second connection under the same key prefix: another instance of the same deployment.
      const second = createRedis({
        url: await redisUrl(),
        keyPrefix: first.keyPrefix,
        connectTimeoutMs: 1000,
        commandTimeoutMs: 2000,
      })
      await redisReady(second, 5000)
      return {
        limiters: [redisRateLimiter(first.redis), redisRateLimiter(second)],
        close: async () => {
          second.disconnect()
          await first.close()
        },
      }
    },
  },
] as const

for (const setup of setups)
  describe(`attacks: rate limits per route class and subject (${setup.name})`, function () {
    this.timeout(60_000)
    let zkeb: InMemoryZkeb
    let instances: Instances
    let closeStore: () => Promise<void>

    before(async function () {
      if (setup.name.includes('Redis')) requireRedis(this)
      await opaque.ready
      zkeb = await inMemoryZkeb()
      const store = await setup.open(zkeb)
      closeStore = store.close
      instances = await startInstances(zkeb, store.limiters)
    })
    after(async () => {
      await instances?.close()
      await closeStore?.()
    })

    const loginStart = (username: string) => ({
      username,
      startLoginRequest: opaque.client.startLogin({ password: 'x' }).startLoginRequest,
    })

    it('limits login starts per username, whatever the client IP', async () => {
      const username = aUsername()
      await expectLimitedAfterPoints(
        () =>
          instances.call('POST', '/api/v1/sessions/start', {
            json: loginStart(username),
            headers: freshIp(),
          }),
        'login/username',
      )
    })

    it('limits login starts per client IP, whatever the username', async () => {
      const from = freshIp()
      await expectLimitedAfterPoints(
        () =>
          instances.call('POST', '/api/v1/sessions/start', { json: loginStart(aUsername()), headers: from }),
        'login/ip',
      )
      // Another IP is not affected.
      const other = await instances.call('POST', '/api/v1/sessions/start', {
        json: loginStart(aUsername()),
        headers: freshIp(),
      })
      expect(other.status).to.equal(200)
    })

    it('limits registration per username and per client IP', async () => {
      const registrationRequest = opaque.client.startRegistration({ password: 'x' }).registrationRequest
      const username = aUsername()
      await expectLimitedAfterPoints(
        () =>
          instances.call('POST', '/api/v1/accounts/registration/start', {
            json: { username, registrationRequest },
            headers: freshIp(),
          }),
        'registration/username',
      )
      const from = freshIp()
      await expectLimitedAfterPoints(
        () =>
          instances.call('POST', '/api/v1/accounts/registration/finish', {
            json: { username: aUsername(), registrationRecord: 'AAAA' },
            headers: from,
          }),
        'registration-finish/ip',
      )
    })

    it('limits recovery per username and per client IP', async () => {
      const username = aUsername()
      const proof = 'A'.repeat(43)
      await expectLimitedAfterPoints(
        () =>
          instances.call('POST', '/api/v1/account/recovery/start', {
            json: { username, recoveryProof: proof },
            headers: freshIp(),
          }),
        'recovery/username',
      )
      const from = freshIp()
      await expectLimitedAfterPoints(
        () =>
          instances.call('POST', '/api/v1/account/recovery/finish', {
            json: { recoveryToken: randomUUID(), registrationRecord: 'AAAA', passwordWrappedUmk: 'AAAA' },
            headers: from,
          }),
        'recovery-finish/ip',
      )
    })

    it('limits refreshes per client IP', async () => {
      const from = freshIp()
      await expectLimitedAfterPoints(
        () =>
          instances.call('POST', '/api/v1/sessions/refresh', {
            json: { refreshToken: randomUUID() },
            headers: from,
          }),
        'refresh/ip',
      )
    })

    it('limits failed restic authentication per client IP and per username, with Retry-After', async () => {
      const restic = (ip: Record<string, string>, username: string) =>
        instances.call('GET', '/restic/repo/keys/', {
          headers: { ...ip, Authorization: `Basic ${Buffer.from(`${username}:wrong`).toString('base64')}` },
        })
      const from = freshIp()
      const byIp: number[] = []
      for (let i = 0; i <= points; i++) byIp.push((await restic(from, aUsername())).status)
      expect(byIp).to.deep.equal([...Array<number>(points).fill(401), 429])
      const username = aUsername()
      const byName: number[] = []
      for (let i = 0; i <= points; i++) byName.push((await restic(freshIp(), username)).status)
      expect(byName).to.deep.equal([...Array<number>(points).fill(401), 429])
      const limited = await restic(freshIp(), username)
      expect(limited.status).to.equal(429)
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60)
    })

    it('limits authenticated calls per account, whatever the client IP, and not other accounts', async () => {
      const setupCaller = {
        call: (m: string, p: string, o: CallOptions = {}) =>
          instances.first.call(m, p, { ...o, headers: { ...freshIp(), ...o.headers } }),
      }
      const user = await aUserWithDevice(setupCaller) // spends one point of the account (adding the device)
      const session = await logInOverHttp(setupCaller, user.account)
      const send = () =>
        instances.call('GET', '/api/v1/devices', { token: session.accessToken, headers: freshIp() })
      // One point is already spent: two more pass, then the limit.
      for (let i = 0; i < points - 1; i++) {
        const res = await send()
        await res.arrayBuffer()
        expect(res.status).to.equal(200)
        expect(res.headers.get('ratelimit-remaining')).to.equal(String(points - 2 - i))
      }
      const limited = await send()
      expect(limited.status).to.equal(429)
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60)
      await limited.arrayBuffer()
      const stranger = await aUserWithDevice(setupCaller)
      const res = await instances.call('GET', '/api/v1/devices', {
        token: stranger.token,
        headers: freshIp(),
      })
      expect(res.status).to.equal(200)
      await res.arrayBuffer()
    })
  })

describe('attacks: rate limits (control: two instances with per-process limiters)', () => {
  it('does not limit globally, which is why production requires the shared Redis limiter', async () => {
    await opaque.ready
    const zkeb = await inMemoryZkeb()
    const instances = await startInstances(zkeb, [
      inMemoryRateLimiter(zkeb.clock),
      inMemoryRateLimiter(zkeb.clock),
    ])
    try {
      const json = {
        username: aUsername(),
        startLoginRequest: opaque.client.startLogin({ password: 'x' }).startLoginRequest,
      }
      const statuses: number[] = []
      for (let i = 0; i <= points; i++) {
        const res = await instances.call('POST', '/api/v1/sessions/start', { json, headers: freshIp() })
        await res.arrayBuffer()
        statuses.push(res.status)
      }
      expect(statuses).not.to.include(429)
    } finally {
      await instances.close()
    }
  })
})

/**
 * The stores STORE=redis wires, against a real three-node Redis Cluster (REDIS_CLUSTER=true): their contract
 * suites through an ioredis Cluster client, and the server itself logging in, refreshing and logging out with
 * its keys spread over the nodes. Every key these stores use is touched by one-key commands and scripts only,
 * so no CROSSSLOT can happen (docs/operations.md, "Redis Cluster").
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { spawnSync } from 'node:child_process'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { cachedSessionStore } from '../../adapters/cache/redis/cached-session-store'
import { createRedisClient, redisReady } from '../../adapters/cache/redis/create-redis'
import { redisLoginStateStore } from '../../adapters/cache/redis/redis-login-state-store'
import { redisRateLimiter } from '../../adapters/cache/redis/redis-rate-limiter'
import { redisReadinessProbe } from '../../adapters/cache/redis/redis-readiness-probe'
import { knexSessionStore } from '../../adapters/persistence/knex/knex-session-store'
import { aUserWithDevice } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from '../attacks/attack-kit'
import { aDigest, aSession, at } from '../support/builders'
import { createTestDatabase } from '../support/postgres'
import { type RedisCluster, requireRedisCluster, startRedisCluster } from '../support/redis-cluster'
import { right } from './harness'
import { loginStateStoreContract } from './login-state-store.contract'
import { rateLimiterContract } from './rate-limiter.contract'
import { sessionStoreContract } from './session-store.contract'

const cliOutput = (port: number, args: ReadonlyArray<string>): string =>
  spawnSync(process.env.REDIS_CLI_BIN ?? 'redis-cli', ['-p', String(port), ...args], {
    encoding: 'utf8',
  }).stdout.trim()

describe('Redis Cluster (REDIS_CLUSTER=true)', function () {
  this.timeout(60_000)
  let cluster: RedisCluster

  before(async function () {
    requireRedisCluster(this)
    cluster = await startRedisCluster()
  })
  after(() => cluster?.stop())

  /** A ready Cluster client, configured as production's, under a key prefix of its own. */
  const clusterClient = async () => {
    const redis = createRedisClient({
      url: cluster.url,
      cluster: true,
      keyPrefix: `zkeb-test-${randomBytes(6).toString('hex')}:`,
      connectTimeoutMs: 1000,
      commandTimeoutMs: 2000,
    })
    await redisReady(redis, 10_000)
    return { redis, close: () => Promise.resolve(redis.disconnect()) }
  }

  loginStateStoreContract('Redis Cluster', async () => {
    const { redis, close } = await clusterClient()
    return { store: redisLoginStateStore(redis), elapse: (ms) => sleep(ms), close }
  })

  rateLimiterContract('Redis Cluster', async () => {
    const { redis, close } = await clusterClient()
    return { limiter: redisRateLimiter(redis), elapse: (ms) => sleep(ms), close }
  })

  sessionStoreContract('Redis Cluster cache over knex, PostgreSQL', async () => {
    const db = await createTestDatabase()
    const { redis, close } = await clusterClient()
    return {
      store: cachedSessionStore(knexSessionStore(db.appKnex), redis),
      close: async () => {
        await close()
        await db.drop()
      },
    }
  })

  it('answers the readiness check through the cluster', async () => {
    const { redis, close } = await clusterClient()
    try {
      await right(redisReadinessProbe(redis).check())
    } finally {
      await close()
    }
  })

  it('spreads the session cache over the nodes (slots really differ), each key answered by its owner', async () => {
    const db = await createTestDatabase()
    const { redis, close } = await clusterClient()
    try {
      const store = cachedSessionStore(knexSessionStore(db.appKnex), redis)
      const sessions = Array.from({ length: 20 }, () => aSession())
      for (const session of sessions) {
        await right(store.create(session, aDigest()))
        expect(O.isSome(await right(store.findLive(session.sessionId, at(1))))).to.equal(true)
      }
      const keysPerNode = cluster.ports.map((port) => Number(cliOutput(port, ['dbsize'])))
      expect(keysPerNode.filter((n) => n > 0).length, JSON.stringify(keysPerNode)).to.be.at.least(2)
    } finally {
      await close()
      await db.drop()
    }
  })

  describe('the server with STORE=redis on the cluster', () => {
    let target: Target
    before(async () => {
      target = await startTarget({ env: { STORE: 'redis', REDIS_URL: cluster.url, REDIS_CLUSTER: 'true' } })
    })
    after(() => target?.close())

    it('logs in, refreshes and logs out, a logged-out token refused at once', async () => {
      const user = await aUserWithDevice(target)
      const refreshed = await target.call('POST', '/api/v1/sessions/refresh', {
        json: { refreshToken: user.session.refreshToken },
      })
      expect(refreshed.status).to.equal(200)
      const { accessToken } = (await refreshed.json()) as { accessToken: string }
      const listed = await target.call('GET', '/api/v1/backups', { token: accessToken })
      expect(listed.status).to.equal(200)
      await listed.arrayBuffer()
      const out = await target.call('DELETE', '/api/v1/sessions/current', { token: accessToken })
      expect(out.status).to.equal(204)
      await out.arrayBuffer()
      const after = await target.call('GET', '/api/v1/backups', { token: accessToken })
      expect(after.status).to.equal(401)
      await after.arrayBuffer()
    })
  })
})

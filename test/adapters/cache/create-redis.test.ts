import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { createRedis, redisReady } from '../../../adapters/cache/redis/create-redis'
import { redisRateLimiter } from '../../../adapters/cache/redis/redis-rate-limiter'
import { redisReadinessProbe } from '../../../adapters/cache/redis/redis-readiness-probe'
import { right } from '../../contracts/harness'
import { freePort, redisForTest, redisUrl, requireRedis } from '../../support/redis'

describe('createRedis', function () {
  before(function () {
    requireRedis(this)
  })

  it('puts every key under the zkeb: prefix unless told otherwise', async () => {
    const url = await redisUrl()
    const redis = createRedis({ url, connectTimeoutMs: 1000, commandTimeoutMs: 1000 })
    const raw = createRedis({ url, keyPrefix: '', connectTimeoutMs: 1000, commandTimeoutMs: 1000 })
    try {
      await Promise.all([redisReady(redis, 5000), redisReady(raw, 5000)])
      const key = `prefix-${process.pid}`
      await right(redisRateLimiter(redis).consume({ name: 'prefixed', points: 5, windowSeconds: 60 }, key))
      expect(await raw.exists(`zkeb:rate:prefixed:${key}`)).to.equal(1)
      await raw.del(`zkeb:rate:prefixed:${key}`)
    } finally {
      redis.disconnect()
      raw.disconnect()
    }
  })

  it('speaks TLS to a rediss:// URL', async () => {
    const redis = createRedis({
      url: `rediss://127.0.0.1:${await freePort()}`,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
    })
    redis.disconnect()
    expect(redis.options.tls).to.be.an('object')
  })

  /** A connected client as production makes it, with the keys of this test process under their own prefix. */
  const aReadyRedis = async () => {
    const redis = createRedis({
      url: await redisUrl(),
      keyPrefix: `zkeb-test-${process.pid}:`,
      connectTimeoutMs: 1000,
      commandTimeoutMs: 1000,
    })
    await redisReady(redis, 5000)
    return redis
  }

  it('auto-pipelines a first rate-limit charge issued in the same turn as a session check', async () => {
    // A Lua command defined lazily under a pending auto-pipeline makes ioredis throw uncaught.
    const redis = await aReadyRedis()
    try {
      const rule = { name: 'first-use', points: 5, windowSeconds: 60 }
      const [missing, charged] = await Promise.all([
        redis.get('live-session:none'),
        redisRateLimiter(redis).consume(rule, 'account:first')(),
      ])
      expect([missing, charged]).to.deep.equal([null, E.right({ limit: 5, remaining: 4, resetSeconds: 60 })])
      await redis.del('rate:first-use:account:first')
    } finally {
      redis.disconnect()
    }
  })
  it('sends a rate-limit charge in the auto-pipeline of its turn, not in a write of its own', async () => {
    const redis = await aReadyRedis()
    try {
      const limiter = redisRateLimiter(redis)
      const rule = { name: 'pipelined', points: 5, windowSeconds: 60 }
      const session = redis.get('live-session:none')
      const charges = [limiter.consume(rule, 'ip:a')(), limiter.consume(rule, 'ip:b')()]
      // The limiter reaches Redis a few promise steps in; the auto-pipeline leaves only on setImmediate.
      for (let step = 0; step < 20; step += 1) await Promise.resolve()
      expect(redis.autoPipelineQueueSize).to.equal(3)
      await Promise.all([session, ...charges])
      await redis.del('rate:pipelined:ip:a', 'rate:pipelined:ip:b')
    } finally {
      redis.disconnect()
    }
  })
})

describe('Redis readiness probe', function () {
  before(function () {
    requireRedis(this)
  })

  it('reports a reachable Redis as the ready `cache`', async () => {
    const t = await redisForTest()
    try {
      const probe = redisReadinessProbe(t.redis)
      expect(probe.name).to.equal('cache')
      expect(await probe.check()()).to.deep.equal(E.right(undefined))
    } finally {
      await t.close()
    }
  })
})

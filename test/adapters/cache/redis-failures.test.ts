import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import type { Redis } from 'ioredis'
import { createRedis } from '../../../adapters/cache/redis/create-redis'
import { redisLoginStateStore } from '../../../adapters/cache/redis/redis-login-state-store'
import { redisRateLimiter } from '../../../adapters/cache/redis/redis-rate-limiter'
import { redisReadinessProbe } from '../../../adapters/cache/redis/redis-readiness-probe'
import { aPendingLogin, aSecret } from '../../support/builders'
import {
  freePort,
  keysUnder,
  redisForTest,
  requireRedis,
  startRedisServer,
  type RedisServer,
  type TestRedis,
} from '../../support/redis'

/** One call of every adapter operation, each a task that must fail as Unavailable('redis'). */
const everyOperation = (redis: Redis): ReadonlyArray<[string, TE.TaskEither<unknown, unknown>]> => {
  const loginStates = redisLoginStateStore(redis)
  return [
    ['loginStates.put', loginStates.put(aSecret(), aPendingLogin(), 60)],
    ['loginStates.take', loginStates.take(aSecret())],
    [
      'rateLimiter.consume',
      redisRateLimiter(redis).consume({ name: 'r', points: 5, windowSeconds: 60 }, 'k'),
    ],
    ['readiness.check', redisReadinessProbe(redis).check()],
  ]
}

const expectEachUnavailableWithin = async (redis: Redis, limitMs: number): Promise<void> => {
  for (const [name, task] of everyOperation(redis)) {
    const startedAt = performance.now()
    const result = await task()
    const tookMs = performance.now() - startedAt
    expect(E.isLeft(result) && result.left, name).to.deep.include({
      _tag: 'Unavailable',
      dependency: 'redis',
    })
    expect(tookMs, `${name} took ${Math.round(tookMs)} ms`).to.be.below(limitMs)
  }
}

const untilStatusIsNot = async (redis: Redis, status: string): Promise<void> => {
  for (let i = 0; i < 100 && redis.status === status; i += 1) await new Promise((r) => setTimeout(r, 20))
}

describe('Redis adapters when Redis fails', function () {
  before(function () {
    requireRedis(this)
  })

  it('answer Unavailable within 2 s when nothing listens at the address', async () => {
    const redis = createRedis({
      url: `redis://127.0.0.1:${await freePort()}`,
      connectTimeoutMs: 500,
      commandTimeoutMs: 500,
    })
    try {
      await expectEachUnavailableWithin(redis, 2000)
    } finally {
      redis.disconnect()
    }
  })

  describe('with a server of their own', () => {
    let server: RedisServer
    let t: TestRedis
    beforeEach(async () => {
      server = await startRedisServer()
      t = await redisForTest({ url: server.url, commandTimeoutMs: 300 })
    })
    afterEach(async () => {
      server.process.kill('SIGCONT')
      await t.close()
      server.stop()
    })

    it('answer Unavailable within 2 s once the server has died', async () => {
      server.stop()
      await untilStatusIsNot(t.redis, 'ready')
      await expectEachUnavailableWithin(t.redis, 2000)
    })

    it('answer Unavailable within 2 s while the server stops answering', async () => {
      server.process.kill('SIGSTOP')
      await expectEachUnavailableWithin(t.redis, 2000)
    })
  })

  describe('reading corrupt values', () => {
    let t: TestRedis
    beforeEach(async () => {
      t = await redisForTest()
    })
    afterEach(() => t.close())

    const expectUnavailable = async (task: TE.TaskEither<unknown, unknown>): Promise<unknown> => {
      const result = await task()
      expect(E.isLeft(result) && result.left).to.deep.include({ _tag: 'Unavailable', dependency: 'redis' })
      return E.isLeft(result) ? result.left : undefined
    }

    it('gives Unavailable for a corrupt login state, without echoing what was stored', async () => {
      const store = redisLoginStateStore(t.redis)
      const key = aSecret()
      await store.put(key, aPendingLogin(), 60)()
      const [stored] = await keysUnder(t.redis, t.keyPrefix)
      const secretLooking = aSecret()
      await t.redis.set(
        stored ?? 'missing',
        JSON.stringify({ kind: 'login', serverLoginState: secretLooking }),
      )
      const error = await expectUnavailable(store.take(key))
      expect(JSON.stringify(error)).not.to.include(secretLooking)
    })
  })
})

import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import type { Redis } from 'ioredis'
import { createRedis } from '../../../adapters/cache/redis/create-redis'
import { redisLoginStateStore } from '../../../adapters/cache/redis/redis-login-state-store'
import { redisRateLimiter } from '../../../adapters/cache/redis/redis-rate-limiter'
import { redisReadinessProbe } from '../../../adapters/cache/redis/redis-readiness-probe'
import { redisSessionStore } from '../../../adapters/cache/redis/redis-session-store'
import { aDeviceId, aDigest, anAccountId, aPendingLogin, aSecret, aSession, at } from '../../support/builders'
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
  const sessions = redisSessionStore(redis)
  const loginStates = redisLoginStateStore(redis)
  const session = aSession()
  return [
    ['sessions.create', sessions.create(session, aDigest())],
    ['sessions.findLive', sessions.findLive(session.sessionId, at())],
    ['sessions.rotate', sessions.rotate(aDigest(), aDigest(), at())],
    ['sessions.revoke', sessions.revoke(session.sessionId)],
    ['sessions.revokeDevice', sessions.revokeDevice(anAccountId(), aDeviceId())],
    ['sessions.revokeAccount', sessions.revokeAccount(anAccountId())],
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

    it('gives Unavailable for a session that is not JSON, or not a session', async () => {
      const store = redisSessionStore(t.redis)
      const session = aSession()
      const digest = aDigest()
      await store.create(session, digest)()
      for (const corrupt of ['{"sessionId":', JSON.stringify({ sessionId: 'not-a-uuid' })]) {
        await t.redis.set(`session:${session.sessionId}`, corrupt)
        await expectUnavailable(store.findLive(session.sessionId, at(1)))
        await expectUnavailable(store.rotate(digest, aDigest(), at(1)))
        await expectUnavailable(store.revokeAccount(session.accountId))
      }
    })

    it('gives Unavailable for a refresh digest record that is corrupt', async () => {
      const store = redisSessionStore(t.redis)
      const digest = aDigest()
      await store.create(aSession(), digest)()
      await t.redis.set(`refresh:${digest}`, '[]')
      await expectUnavailable(store.rotate(digest, aDigest(), at(1)))
    })

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

/**
 * The Redis-cached session store beyond its contract, against real PostgreSQL and a private real
 * redis-server (FLUSHALL must not touch anyone else's keys): sessions outlive the loss of Redis, a revoked
 * session never comes back from the cache, revocation is seen at once by another instance with a warm cache,
 * and findLive falls back to PostgreSQL while Redis is unreachable.
 */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Redis } from 'ioredis'
import { cachedSessionStore } from '../../../adapters/cache/redis/cached-session-store'
import { createRedis, redisReady } from '../../../adapters/cache/redis/create-redis'
import { knexSessionStore } from '../../../adapters/persistence/knex/knex-session-store'
import { invalidRefreshToken } from '../../../domain/errors'
import { left, right } from '../../contracts/harness'
import { aDigest, aSession, at } from '../../support/builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'
import { freePort, requireRedis, startRedisServer, type RedisServer } from '../../support/redis'

const cacheTtlMs = 60_000

const connect = async (url: string): Promise<Redis> => {
  const redis = createRedis({ url, keyPrefix: 'zkeb:', connectTimeoutMs: 1000, commandTimeoutMs: 1000 })
  await redisReady(redis, 5000)
  return redis
}

describe('Redis-cached session store: PostgreSQL is the record', function () {
  this.timeout(30_000)
  let db: TestDatabase
  let server: RedisServer
  let redis: Redis
  let other: Redis

  before(async function () {
    requireRedis(this)
    db = await createTestDatabase()
    server = await startRedisServer()
    redis = await connect(server.url)
    other = await connect(server.url)
  })
  after(async () => {
    redis?.disconnect()
    other?.disconnect()
    server?.stop()
    await db?.drop()
  })

  /** One application instance: its own cache client, the shared Redis and PostgreSQL. */
  const instance = (client: Redis = redis) =>
    cachedSessionStore(knexSessionStore(db.appKnex), client, { cacheTtlMs })

  const givenCachedSession = async () => {
    const store = instance()
    const session = aSession()
    const digest = aDigest()
    await right(store.create(session, digest))
    expect(await right(store.findLive(session.sessionId, at(1)))).to.deep.equal(O.some(session))
    expect(await redis.exists(`live-session:${session.sessionId}`)).to.equal(1)
    return { store, session, digest }
  }

  it('keeps a session through FLUSHALL: it is still live and its refresh token still rotates', async () => {
    const { store, session, digest } = await givenCachedSession()
    await redis.flushall()
    expect(await right(store.findLive(session.sessionId, at(2)))).to.deep.equal(O.some(session))
    expect(await right(store.rotate(digest, aDigest(), at(3)))).to.deep.equal(session)
  })

  it('keeps a revoked session revoked through FLUSHALL', async () => {
    const { store, session, digest } = await givenCachedSession()
    await right(store.revoke(session.sessionId))
    await redis.flushall()
    expect(await right(store.findLive(session.sessionId, at(2)))).to.deep.equal(O.none)
    expect(await left(store.rotate(digest, aDigest(), at(3)))).to.deep.equal(invalidRefreshToken)
    expect(await right(store.findLive(session.sessionId, at(4)))).to.deep.equal(O.none)
  })

  it('shows a revocation at once to another instance whose cache holds the session', async () => {
    const { session } = await givenCachedSession()
    const elsewhere = instance(other)
    expect(O.isSome(await right(elsewhere.findLive(session.sessionId, at(1))))).to.equal(true)
    await right(instance().revokeAccount(session.accountId))
    expect(await right(elsewhere.findLive(session.sessionId, at(2)))).to.deep.equal(O.none)
  })

  it('never refills the cache with a session revoked while a check was reading PostgreSQL', async () => {
    const durable = knexSessionStore(db.appKnex)
    const session = aSession()
    await right(durable.create(session, aDigest()))
    // The check reads PostgreSQL (live), then the revocation commits and writes its tombstone, then the
    // check tries to refill the cache: the tombstone must win.
    let revokeNow: () => Promise<void> = () => Promise.resolve()
    const slowRead = cachedSessionStore(
      {
        ...durable,
        findLive: (id, now) => TE.tap(durable.findLive(id, now), () => TE.fromTask(() => revokeNow())),
      },
      redis,
      { cacheTtlMs },
    )
    revokeNow = async () => void (await right(instance().revoke(session.sessionId)))
    expect(await right(slowRead.findLive(session.sessionId, at(1)))).to.deep.equal(O.some(session))
    expect(await right(instance().findLive(session.sessionId, at(2)))).to.deep.equal(O.none)
  })

  it('lets no cache entry outlive the cache lifetime', async () => {
    const { session } = await givenCachedSession()
    const ttl = await redis.pttl(`live-session:${session.sessionId}`)
    expect(ttl).to.be.within(1, cacheTtlMs)
    await right(instance().revoke(session.sessionId))
    expect(await redis.pttl(`live-session:${session.sessionId}`)).to.be.within(1, cacheTtlMs)
  })

  it('answers from PostgreSQL when the cache entry is not JSON, or not a cache entry', async () => {
    const { session } = await givenCachedSession()
    for (const corrupt of [
      '{"state":',
      JSON.stringify({ state: 'live', session: { sessionId: 'not-a-uuid' } }),
    ]) {
      await redis.set(`live-session:${session.sessionId}`, corrupt, 'PX', cacheTtlMs)
      expect(await right(instance().findLive(session.sessionId, at(1)))).to.deep.equal(O.some(session))
    }
  })

  it('answers from PostgreSQL while Redis is unreachable; a revocation is durable but reported', async () => {
    const { session, digest } = await givenCachedSession()
    const unreachable = createRedis({
      url: `redis://127.0.0.1:${await freePort()}`,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
    })
    try {
      const cut = instance(unreachable)
      expect(await right(cut.findLive(session.sessionId, at(1)))).to.deep.equal(O.some(session))
      const next = aDigest()
      expect(await right(cut.rotate(digest, next, at(2)))).to.deep.equal(session)
      expect(await left(cut.revoke(session.sessionId))).to.deep.include({
        _tag: 'Unavailable',
        dependency: 'redis',
      })
      expect(await right(cut.findLive(session.sessionId, at(3)))).to.deep.equal(O.none)
      expect(await left(cut.rotate(next, aDigest(), at(4)))).to.deep.equal(invalidRefreshToken)
    } finally {
      unreachable.disconnect()
    }
  })
})

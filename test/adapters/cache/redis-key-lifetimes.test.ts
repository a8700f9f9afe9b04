import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { redisLoginStateStore } from '../../../adapters/cache/redis/redis-login-state-store'
import { redisRateLimiter } from '../../../adapters/cache/redis/redis-rate-limiter'
import { redisSessionStore } from '../../../adapters/cache/redis/redis-session-store'
import { right } from '../../contracts/harness'
import { aDeviceId, aDigest, anAccountId, aPendingLogin, aSecret, aSession, at } from '../../support/builders'
import { keysUnder, redisForTest, requireRedis, type TestRedis } from '../../support/redis'

const hourMs = 60 * 60 * 1000

describe('Redis cache adapters keep Redis bounded', function () {
  let t: TestRedis
  before(function () {
    requireRedis(this)
  })
  beforeEach(async () => {
    t = await redisForTest()
  })
  afterEach(() => t.close())

  it('gives every key a session store writes a lifetime no longer than its session', async () => {
    const store = redisSessionStore(t.redis)
    const accountId = anAccountId()
    const deviceId = aDeviceId()
    const first = aSession({ accountId, deviceId })
    const digest = aDigest()
    await right(store.create(first, digest))
    await right(store.create(aSession({ accountId }), aDigest()))
    await right(store.rotate(digest, aDigest(), at(1)))
    const keys = await keysUnder(t.redis, t.keyPrefix)
    // Two sessions, three digests, one account index: nothing else, and nothing that lives forever.
    expect(keys).to.have.length(6)
    expect(keys).to.include(`account-sessions:${accountId}`)
    for (const key of keys) {
      const ttl = await t.redis.pttl(key)
      expect(ttl, key).to.be.within(1, hourMs)
    }
  })

  it('lets Redis drop a session, its digests and its account index once the session is over', async () => {
    const store = redisSessionStore(t.redis)
    const session = aSession({ expiresAt: at(300) })
    const digest = aDigest()
    await right(store.create(session, digest))
    await right(store.rotate(digest, aDigest(), at(1)))
    expect(await keysUnder(t.redis, t.keyPrefix)).to.have.length(4)
    await sleep(400)
    expect(await keysUnder(t.redis, t.keyPrefix)).to.deep.equal([])
  })

  it('forgets the ids of ended sessions when revoking by device', async () => {
    const store = redisSessionStore(t.redis)
    const accountId = anAccountId()
    const short = aSession({ accountId, expiresAt: at(200) })
    const kept = aSession({ accountId })
    await right(store.create(short, aDigest()))
    await right(store.create(kept, aDigest()))
    await sleep(300)
    await right(store.revokeDevice(accountId, aDeviceId()))
    expect(await t.redis.smembers(`account-sessions:${accountId}`)).to.deep.equal([kept.sessionId])
    expect(O.isSome(await right(store.findLive(kept.sessionId, at(1))))).to.equal(true)
  })

  it('keeps login states and rate-limit windows only for their time to live', async () => {
    await right(redisLoginStateStore(t.redis).put(aSecret(), aPendingLogin(), 60))
    await right(redisRateLimiter(t.redis).consume({ name: 'login-ip', points: 10, windowSeconds: 60 }, 'k'))
    const keys = await keysUnder(t.redis, t.keyPrefix)
    expect(keys.map((key) => key.split(':')[0]).sort()).to.deep.equal(['login-state', 'rate'])
    for (const key of keys) expect(await t.redis.pttl(key), key).to.be.within(1, 60_000)
  })
})

import { expect } from 'chai'
import { redisLoginStateStore } from '../../../adapters/cache/redis/redis-login-state-store'
import { redisRateLimiter } from '../../../adapters/cache/redis/redis-rate-limiter'
import { right } from '../../contracts/harness'
import { aPendingLogin, aSecret } from '../../support/builders'
import { keysUnder, redisForTest, requireRedis, type TestRedis } from '../../support/redis'

describe('Redis cache adapters keep Redis bounded', function () {
  let t: TestRedis
  before(function () {
    requireRedis(this)
  })
  beforeEach(async () => {
    t = await redisForTest()
  })
  afterEach(() => t.close())

  it('keeps login states and rate-limit windows only for their time to live', async () => {
    await right(redisLoginStateStore(t.redis).put(aSecret(), aPendingLogin(), 60))
    await right(redisRateLimiter(t.redis).consume({ name: 'login-ip', points: 10, windowSeconds: 60 }, 'k'))
    const keys = await keysUnder(t.redis, t.keyPrefix)
    expect(keys.map((key) => key.split(':')[0]).sort()).to.deep.equal(['login-state', 'rate'])
    // A rate-limit window's hash lives one window plus one sixtieth of it (the part its last point fell in).
    for (const key of keys) expect(await t.redis.pttl(key), key).to.be.within(1, 61_000)
  })
})

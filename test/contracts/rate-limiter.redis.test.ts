import { setTimeout as sleep } from 'node:timers/promises'
import { redisRateLimiter } from '../../adapters/cache/redis/redis-rate-limiter'
import { redisForTest, requireRedis } from '../support/redis'
import { rateLimiterContract } from './rate-limiter.contract'

describe('Redis rate limiter', function () {
  before(function () {
    requireRedis(this)
  })

  // Redis expires windows by its own clock: time really has to pass (the suite's waits are about a second).
  rateLimiterContract('redis', async () => {
    const { redis, close } = await redisForTest()
    return { limiter: redisRateLimiter(redis), elapse: (ms) => sleep(ms), close }
  })
})

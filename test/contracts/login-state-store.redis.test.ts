import { setTimeout as sleep } from 'node:timers/promises'
import { redisLoginStateStore } from '../../adapters/cache/redis/redis-login-state-store'
import { redisForTest, requireRedis } from '../support/redis'
import { loginStateStoreContract } from './login-state-store.contract'

describe('Redis login state store', function () {
  before(function () {
    requireRedis(this)
  })

  // Redis expires keys by its own clock: time really has to pass (the suite's waits are about a second).
  loginStateStoreContract('redis', async () => {
    const { redis, close } = await redisForTest()
    return { store: redisLoginStateStore(redis), elapse: (ms) => sleep(ms), close }
  })
})

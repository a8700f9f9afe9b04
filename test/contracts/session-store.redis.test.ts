import { redisSessionStore } from '../../adapters/cache/redis/redis-session-store'
import { redisForTest, requireRedis } from '../support/redis'
import { sessionStoreContract } from './session-store.contract'

describe('Redis session store', function () {
  before(function () {
    requireRedis(this)
  })

  sessionStoreContract('redis', async () => {
    const { redis, close } = await redisForTest()
    return { store: redisSessionStore(redis), close }
  })
})

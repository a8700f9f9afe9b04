import { cachedSessionStore } from '../../adapters/cache/redis/cached-session-store'
import { knexSessionStore } from '../../adapters/persistence/knex/knex-session-store'
import { createTestDatabase } from '../support/postgres'
import { redisForTest, requireRedis } from '../support/redis'
import { sessionStoreContract } from './session-store.contract'

describe('Redis-cached PostgreSQL session store', function () {
  before(function () {
    requireRedis(this)
  })

  sessionStoreContract('Redis cache over knex, PostgreSQL', async () => {
    const db = await createTestDatabase()
    const { redis, close } = await redisForTest()
    return {
      store: cachedSessionStore(knexSessionStore(db.appKnex), redis),
      close: async () => {
        await close()
        await db.drop()
      },
    }
  })
})

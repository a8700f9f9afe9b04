import { knexSessionStore } from '../../adapters/persistence/knex/knex-session-store'
import { createTestDatabase } from '../support/postgres'
import { sessionStoreContract } from './session-store.contract'

sessionStoreContract('knex, PostgreSQL', async () => {
  const db = await createTestDatabase()
  return { store: knexSessionStore(db.appKnex), close: db.drop }
})

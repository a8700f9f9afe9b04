import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import { sessionStoreContract } from './session-store.contract'

sessionStoreContract('in-memory @memory', () =>
  Promise.resolve({ store: inMemorySessionStore(), close: () => Promise.resolve() }),
)

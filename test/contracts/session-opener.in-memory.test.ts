import { sessionOpenerOverPorts } from '../../adapters/composition/session-opener-over-ports'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import { inMemoryName, inMemoryPersistence } from './in-memory-persistence'
import { sessionOpenerContract } from './session-opener.contract'

// One session store for the whole suite: its sessions have random ids, so none outlives a reset usefully.
sessionOpenerContract(`over ports, ${inMemoryName}`, async () => {
  const persistence = await inMemoryPersistence()
  const sessions = inMemorySessionStore()
  return {
    ...persistence,
    sessions,
    opener: sessionOpenerOverPorts({ accounts: persistence.accounts, sessions, audit: persistence.audit }),
  }
})

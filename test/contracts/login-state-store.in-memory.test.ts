import { inMemoryLoginStateStore } from '../../adapters/in-memory/in-memory-login-state-store'
import { controllableClock } from '../support/controllable-clock'
import { loginStateStoreContract } from './login-state-store.contract'

loginStateStoreContract('in-memory @memory', () => {
  const clock = controllableClock()
  return Promise.resolve({
    store: inMemoryLoginStateStore(clock),
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
    close: () => Promise.resolve(),
  })
})

import { inMemoryRateLimiter } from '../../adapters/in-memory/in-memory-rate-limiter'
import { controllableClock } from '../support/controllable-clock'
import { rateLimiterContract } from './rate-limiter.contract'

rateLimiterContract('in-memory @memory', () => {
  const clock = controllableClock()
  return Promise.resolve({
    limiter: inMemoryRateLimiter(clock),
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
    close: () => Promise.resolve(),
  })
})

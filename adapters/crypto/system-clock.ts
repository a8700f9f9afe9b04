/** The wall clock, for production wiring; tests use a controllable clock instead. */
import type { Clock } from '../../application/ports/clock'

export const systemClock = (): Clock => ({ now: () => new Date() })

/** A clock that stands still until a test moves it: login-state TTLs, token expiry, trash retention. */
import type { Clock } from '../../application/ports/clock'

export type ControllableClock = Clock &
  Readonly<{
    advance: (ms: number) => void
    set: (to: Date) => void
  }>

/** A start time with milliseconds, so truncation bugs show up. */
export const clockStart = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))

export const controllableClock = (start: Date = clockStart): ControllableClock => {
  let nowMs = start.getTime()
  return {
    now: () => new Date(nowMs),
    advance: (ms) => {
      nowMs += ms
    },
    set: (to) => {
      nowMs = to.getTime()
    },
  }
}

export const seconds = (n: number): number => n * 1000
export const days = (n: number): number => n * 24 * 60 * 60 * 1000

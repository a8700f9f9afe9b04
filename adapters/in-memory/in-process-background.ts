/**
 * Knows how to run Background work in this process: each piece starts from the event loop's check phase
 * (setImmediate), so the answer that handed it over has been written first; at most `limit` pieces are pending
 * at once, and a piece beyond that is dropped. Outcomes are dropped too: a Left, or a throw (the work's own bug),
 * never reaches the caller or the process.
 */
import type { Background } from '../../application/ports/background'

export type InProcessBackground = Background & Readonly<{ dropped: () => number }>

/** 1,000 pending pieces: far beyond what the login limits let through, yet a bounded amount of memory. */
export const inProcessBackground = (limit = 1000): InProcessBackground => {
  const pending = new Set<Promise<void>>()
  let dropped = 0
  return {
    run: (work) => () => {
      if (pending.size >= limit) {
        dropped += 1
        return
      }
      const piece: Promise<void> = new Promise<void>((started) => setImmediate(started))
        .then(() => work())
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => pending.delete(piece))
      pending.add(piece)
    },
    settled: async () => {
      while (pending.size > 0) await Promise.all([...pending])
    },
    dropped: () => dropped,
  }
}

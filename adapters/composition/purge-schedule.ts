/** Knows how to purge expired trash in the background: soon after start, then every interval, never twice at once. */
import * as E from 'fp-ts/Either'
import type { Logger } from 'pino'
import type { PurgeExpiredTrash } from '../../application/use-cases'

export type PurgeSchedule = Readonly<{ stop: () => void }>

export const defaultPurgeIntervalMs = 60 * 60 * 1000
const firstRunDelayMs = 5_000

export const schedulePurge = (
  purge: PurgeExpiredTrash,
  logger: Pick<Logger, 'info' | 'warn'>,
  intervalMs: number = defaultPurgeIntervalMs,
): PurgeSchedule => {
  let running = false
  const runOnce = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      const result = await purge()()
      if (E.isRight(result)) {
        if (result.right.purged > 0) logger.info({ purged: result.right.purged }, 'purged expired trash')
      } else
        logger.warn(
          { dependency: result.left.dependency, err: result.left.cause },
          'trash purge failed; retrying later',
        )
    } finally {
      running = false
    }
  }
  const first = setTimeout(() => void runOnce(), firstRunDelayMs)
  const every = setInterval(() => void runOnce(), intervalMs)
  first.unref()
  every.unref()
  return {
    stop: () => {
      clearTimeout(first)
      clearInterval(every)
    },
  }
}

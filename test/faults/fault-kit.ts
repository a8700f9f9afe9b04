/**
 * What the fault suites share: an upload whose body the test feeds piece by piece (so a fault can strike while
 * it is in flight), a timed call (every answer during a fault must come within a bound, never hang) and the
 * account's view of its backups and quota.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import type { HttpCaller } from '../adapters/http/http-test-kit'
import { httpCaller, uploadHeaders } from '../adapters/http/http-test-kit'
import { freshDatabase, healthBecomes, listeningPort, spawnServer } from '../support/server-process'
import type { AnUpload } from '../support/test-client'

export type FedUpload = Readonly<{
  /** Sends the first `bytes` of the content. */
  feed: (bytes: number) => void
  /** Sends the rest and ends the body. */
  finish: () => void
  /** The status, or 0 when the connection was cut. */
  status: Promise<number>
}>

export const fedUpload = (server: HttpCaller, token: string, upload: AnUpload): FedUpload => {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let sent = 0
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  const status = server
    .call('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
      token,
      headers: { ...uploadHeaders(upload), 'Content-Length': String(upload.content.length) },
      body,
    })
    .then(
      async (res) => (await res.arrayBuffer(), res.status),
      () => 0,
    )
  return {
    feed: (bytes) => {
      controller.enqueue(upload.content.subarray(sent, sent + bytes))
      sent += bytes
    },
    finish: () => {
      try {
        controller.enqueue(upload.content.subarray(sent))
        controller.close()
      } catch {
        // the server already answered and the body was cancelled
      }
    },
    status,
  }
}

export type Timed = Readonly<{ status: number; ms: number; retryAfter: string | null }>

/** Calls and reads the whole answer, timing it. */
export const timed = async (run: () => Promise<Response>): Promise<Timed> => {
  const at = Date.now()
  const res = await run()
  await res.arrayBuffer()
  return { status: res.status, ms: Date.now() - at, retryAfter: res.headers.get('retry-after') }
}

/** Polls until `run` answers `status`; fails after `timeoutMs`. */
export const until = async (
  what: string,
  timeoutMs: number,
  run: () => Promise<Response>,
  status = 200,
): Promise<number> => {
  const at = Date.now()
  for (;;) {
    const answer = await run().then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    )
    if (answer === status) return Date.now() - at
    if (Date.now() - at > timeoutMs) throw new Error(`${what}: still ${answer} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The account's backup ids and the quota usage it reports. */
export const accountView = async (
  server: HttpCaller,
  token: string,
): Promise<{ backupIds: ReadonlyArray<string>; usedBytes: number }> => {
  const list = await server.call('GET', '/api/v1/backups?limit=100', { token })
  expect(list.status).to.equal(200)
  const { items } = (await list.json()) as { items: ReadonlyArray<{ backupId: string }> }
  const account = await server.call('GET', '/api/v1/account', { token })
  expect(account.status).to.equal(200)
  const { quota } = (await account.json()) as { quota: { usedBytes: number } }
  return { backupIds: items.map((b) => b.backupId).sort(), usedBytes: quota.usedBytes }
}

/**
 * The real server process on a database of its own, restartable on the same database and DATA_DIR, for the
 * faults that kill it. Registers the suite's before/after hooks: call it inside `describe`. The database is
 * required in CI and skips the suite elsewhere without TEST_DATABASE_URL; every process is killed afterwards.
 */
export const restartableServer = (name: string) => {
  let database: Awaited<ReturnType<typeof freshDatabase>> = null
  let dataDir: string | undefined
  let env: NodeJS.ProcessEnv = {}
  const started: Array<ReturnType<typeof spawnServer>> = []

  before(async function () {
    database = await freshDatabase(`zkeb_${name.replace(/-/g, '_')}`)
    if (database === null) {
      if (process.env['CI']) throw new Error('TEST_DATABASE_URL is required in CI')
      this.skip()
    }
    dataDir = await mkdtemp(path.join(tmpdir(), `zkeb-${name}-`))
    env = {
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      STORE: 'memory',
      DATABASE_URL: database.url,
      LOG_LEVEL: 'info',
    }
  })
  after(async () => {
    for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    await database?.drop()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  return {
    /** A new server process, healthy, with a caller for its base URL. */
    start: async () => {
      const server = spawnServer(env, true)
      started.push(server)
      const base = `http://127.0.0.1:${await listeningPort(server)}`
      await healthBecomes(base, 200, 30_000)
      return { server, base, call: httpCaller(base) }
    },
    /** The owner's URL of the suite's database. */
    databaseUrl: (): string => database?.url ?? expect.fail('no database'),
    /** The environment every process of the suite runs with. */
    env: (): NodeJS.ProcessEnv => env,
  }
}

/**
 * WORKERS=2 on real processes: a primary and two workers sharing one port, with sessions, pending logins and
 * limits in Redis. Which worker serves a connection is read from /proc (support/pinned-connection.ts).
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isAlive } from '../../../adapters/composition/data-dir'
import { pinnedConnection, servingPid, type PinnedConnection } from '../../support/pinned-connection'
import { redisUrl, requireRedis } from '../../support/redis'
import {
  freshDatabase,
  healthBecomes,
  listeningPort,
  spawnServer,
  type ServerProcess,
} from '../../support/server-process'
import { slowUpload } from '../../support/slow-upload'
import { anUpload } from '../../support/test-client'
import {
  addDeviceOverHttp,
  aUserWithDevice,
  httpCaller,
  logInOverHttp,
  registerOverHttp,
  type HttpCaller,
} from '../http/http-test-kit'

/** The pids that logged "ZKEB listening": the workers. */
const workerPids = (server: ServerProcess): ReadonlyArray<number> =>
  [...server.output().matchAll(/"pid":(\d+),[^\n]*"msg":"ZKEB listening/g)].map((m) => Number(m[1]))

const eventually = async (what: string, check: () => boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const status = async (res: Response): Promise<number> => (await res.arrayBuffer(), res.status)

describe('WORKERS=2 (a primary and two workers on one port, the real processes)', function () {
  this.timeout(180_000)
  let dataDir: string
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let server: ServerProcess | undefined
  let port: number
  let base: string
  const connections: Array<PinnedConnection> = []

  /** A new connection, and the worker serving it. */
  const connectionToAWorker = async (): Promise<{ connection: PinnedConnection; pid: number }> => {
    const connection = pinnedConnection(base)
    connections.push(connection)
    expect(await status(await connection.call('GET', '/api/health/live'))).to.equal(200)
    const pid = await servingPid(port, connection.localPort()!, workerPids(server!))
    if (pid === undefined) throw new Error('no worker holds the connection')
    return { connection, pid }
  }

  /** Connections until one lands on each worker (the cluster deals them out in turn). */
  const oneConnectionPerWorker = async (): Promise<ReadonlyArray<PinnedConnection>> => {
    const byPid = new Map<number, PinnedConnection>()
    for (let i = 0; i < 10 && byPid.size < 2; i++) {
      const { connection, pid } = await connectionToAWorker()
      if (!byPid.has(pid)) byPid.set(pid, connection)
    }
    expect([...byPid.keys()].sort()).to.deep.equal([...workerPids(server!)].sort())
    return [...byPid.values()]
  }

  before(async function () {
    requireRedis(this)
    database = await freshDatabase('zkeb_workers')
    if (database === null) {
      if (process.env['CI']) throw new Error('TEST_DATABASE_URL is required in CI (a PostgreSQL to migrate)')
      this.skip()
    }
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-workers-'))
    server = spawnServer(
      {
        ...process.env,
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        WORKERS: '2',
        STORE: 'redis',
        REDIS_URL: await redisUrl(),
        DATABASE_URL: database.url,
        DATABASE_APP_URL: '',
        DRAIN_TIMEOUT_MS: '10000',
        DRAIN_NOTICE_MS: '1500',
        LOG_LEVEL: 'info',
      },
      true,
    )
    port = await listeningPort(server, 120_000)
    base = `http://127.0.0.1:${port}`
    await eventually('both workers listen', () => workerPids(server!).length === 2)
    await healthBecomes(base, 200, 60_000)
  })
  after(async () => {
    for (const connection of connections) connection.close()
    if (server !== undefined && server.child.exitCode === null) {
      for (const pid of workerPids(server)) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
      server.child.kill('SIGKILL')
    }
    await database?.drop()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  it('runs the migrations once, in the primary, and both workers serve requests on the one port', async () => {
    const output = server!.output()
    expect(output.match(/"migrationsApplied":\["/g), 'one process applied migrations').to.have.length(1)
    expect(workerPids(server!)).not.to.include(server!.child.pid)
    await oneConnectionPerWorker()
  })

  it('a login started on one worker finishes on the other; the session works on both', async () => {
    const [one, other] = await oneConnectionPerWorker()
    const account = await registerOverHttp(one!)
    // The pending login lives in Redis between its two halves: start over one worker, finish over the other.
    const split: HttpCaller = {
      call: (method, p, o) => (p === '/api/v1/sessions/start' ? one! : other!).call(method, p, o),
    }
    const portsBefore = [one!.localPort(), other!.localPort()]
    const session = await logInOverHttp(split, account)
    expect([one!.localPort(), other!.localPort()], 'each half stayed on its connection').to.deep.equal(
      portsBefore,
    )
    for (const worker of [one!, other!])
      expect(
        await status(await worker.call('GET', '/api/v1/account', { token: session.accessToken })),
      ).to.equal(200)
    await addDeviceOverHttp(other!, session.accessToken)
  })

  it('replaces a worker that dies; the other serves meanwhile', async () => {
    const [victim, survivor] = workerPids(server!)
    process.kill(victim!, 'SIGKILL')
    // Until the primary sees the exit it may still deal a connection to the dead worker (reset).
    await eventually('the primary sees the death', () => server!.output().includes('worker died'))
    for (let i = 0; i < 4; i++)
      expect(await status(await httpCaller(base)('GET', '/api/health/live'))).to.equal(200)
    await eventually('a replacement listens', () => workerPids(server!).length === 3)
    await healthBecomes(base, 200, 60_000)
    expect(isAlive(survivor!)).to.equal(true)
  })

  it('on SIGTERM to the primary, both workers finish their uploads in flight, then all exit 0', async () => {
    const user = await aUserWithDevice({ call: httpCaller(base) })
    const uploads = [0, 1].map(() =>
      anUpload(user.device.deviceId, user.device.key, { content: randomBytes(64 * 1024) }),
    )
    // Two connections: the cluster deals them to the two workers in turn. The signal follows both first writes
    // (buffered, maybe not yet connected: DRAIN_NOTICE_MS keeps accepting meanwhile).
    let started = 0
    const timing = {
      pieces: 8,
      gapMs: 400,
      onFirstWrite: () => {
        if (++started === 2) server!.child.kill('SIGTERM')
      },
    }
    const answers = await Promise.all(uploads.map((u) => slowUpload(port, user.token, u, timing)))
    expect(answers).to.deep.equal([201, 201])
    expect(await server!.exited).to.deep.equal({ code: 0, signal: null })
    for (const pid of workerPids(server!)) expect(isAlive(pid), `worker ${pid}`).to.equal(false)
    const output = server!.output()
    expect(output.match(/"msg":"stopped"/g), 'two workers and the primary').to.have.length(3)
    expect(output.match(/"level":(50|60)/g), 'only the death of the killed worker').to.have.length(1)
  })
})

describe('WORKERS=2 beside in-process stores', () => {
  it('refuses to start, in one line naming the fix, and forks nothing', async () => {
    const server = spawnServer(
      {
        ...process.env,
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        PERSISTENCE: 'memory',
        STORE: 'memory',
        WORKERS: '2',
        DATABASE_URL: '',
        REDIS_URL: '',
      },
      true,
    )
    expect(await server.exited).to.deep.equal({ code: 1, signal: null })
    expect(server.output().trim()).to.match(
      /^zkeb: Invalid configuration: WORKERS must be 1 when STORE=memory \(2 workers would keep 2 diverging copies of sessions, pending logins and rate limits; set STORE=redis\)$/,
    )
  })
})

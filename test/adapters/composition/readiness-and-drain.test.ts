import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { migrate } from '../../../adapters/composition/runtime'
import { anUpload } from '../../support/test-client'
import {
  freshDatabase,
  healthBecomes,
  listeningPort,
  spawnServer,
  type ServerProcess,
} from '../../support/server-process'
import { slowUpload } from '../../support/slow-upload'
import { aUserWithDevice, httpCaller } from '../http/http-test-kit'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('readiness and draining (the real server process)', function () {
  this.timeout(120_000)
  let dataDir: string
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let server: ServerProcess | undefined
  let base: string
  let port: number

  before(async function () {
    database = await freshDatabase('zkeb_drain')
    if (database === null) {
      if (process.env['CI']) throw new Error('TEST_DATABASE_URL is required in CI (a PostgreSQL to migrate)')
      this.skip()
    }
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-drain-'))
  })
  after(async () => {
    if (server !== undefined && server.child.exitCode === null) server.child.kill('SIGKILL')
    await database?.drop()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  it('answers 503 "starting" until the schema is migrated, then 200', async () => {
    server = spawnServer({
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      STORE: 'memory',
      DATABASE_URL: database!.url,
      MIGRATE_ON_START: 'false',
      DRAIN_TIMEOUT_MS: '10000',
      DRAIN_NOTICE_MS: '1500',
      LOG_LEVEL: 'info',
    })
    port = await listeningPort(server)
    base = `http://127.0.0.1:${port}`

    const starting = await fetch(`${base}/api/health`)
    expect(starting.status).to.equal(503)
    expect(await starting.json()).to.include({ status: 'starting' })
    await sleep(1500)
    expect((await fetch(`${base}/api/health`)).status, 'nothing migrated it yet').to.equal(503)

    await migrate(database!.url) // what Railway's preDeployCommand does
    await healthBecomes(base, 200)
    expect(server.output()).to.include('not ready yet: waiting for migrations and stores')
  })

  it('on SIGTERM answers 503 "draining", finishes a slow upload in flight with 201, then exits 0', async () => {
    const { token, device } = await aUserWithDevice({ call: httpCaller(base) })
    const upload = anUpload(device.deviceId, device.key, { content: randomBytes(64 * 1024) })
    let signalledAt = 0
    const uploaded = slowUpload(port, token, upload, {
      pieces: 10,
      gapMs: 300, // about 3 s in flight, of which 1.5 s of notice and 1.5 s after the listener closed
      onFirstWrite: () => {
        signalledAt = Date.now()
        server!.child.kill('SIGTERM')
      },
    })
    await sleep(300)
    const draining = await fetch(`${base}/api/health`, { headers: { Connection: 'close' } })
    expect(draining.status).to.equal(503)
    expect(await draining.json()).to.include({ status: 'draining' })

    await sleep(1700) // past the notice: the listener is closed, the upload still in flight
    const refused = await fetch(`${base}/api/health`).then(
      () => 'answered',
      (e: Error & { cause?: { code?: string } }) => e.cause?.code,
    )
    expect(refused).to.equal('ECONNREFUSED')

    expect(await uploaded).to.equal(201)
    expect(await server!.exited).to.deep.equal({ code: 0, signal: null })
    expect(Date.now() - signalledAt).to.be.below(10_000)
    const log = server!.output()
    expect(log).to.include('"msg":"stopped"')
    expect(log).not.to.match(/"level":(50|60)/)
    expect(log, 'no token or ciphertext in the log').not.to.include(token)
  })
})

import { expect } from 'chai'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import pg from 'pg'
import { healthBecomes } from '../../support/server-process'

type Server = ChildProcessByStdio<null, Readable, Readable>

const root = path.resolve(__dirname, '../../..')

const withClient = async <A>(url: string, run: (c: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** A fresh database on TEST_DATABASE_URL's server, or null (the server boots its embedded PostgreSQL). */
const freshDatabase = async (): Promise<{ url: string; drop: () => Promise<void> } | null> => {
  const serverUrl = process.env['TEST_DATABASE_URL']
  if (serverUrl === undefined || serverUrl === '') return null
  const name = `zkeb_smoke_${randomBytes(6).toString('hex')}`
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

/** Resolves with the port from the "listening" log line; rejects if the process exits first. */
const listeningPort = (server: Server, output: { text: string }): Promise<number> =>
  new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      output.text += chunk.toString()
      const port = /"port":(\d+),"msg":"ZKEB listening/.exec(output.text)?.[1]
      if (port !== undefined) resolve(Number(port))
    })
    server.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()))
    server.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${output.text}`)),
    )
  })

const exitOf = (server: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })))

describe('npm start (the real server process)', function () {
  this.timeout(120_000)
  let dataDir: string
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let server: Server | undefined

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-smoke-'))
    database = await freshDatabase()
  })
  after(async () => {
    if (server !== undefined && server.exitCode === null) server.kill('SIGKILL')
    await database?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('serves health once ready and exits 0 on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
    }
    delete env['DATABASE_URL']
    if (database !== null) env['DATABASE_URL'] = database.url
    server = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['adapters/composition/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const output = { text: '' }
    const port = await listeningPort(server, output)
    const base = `http://127.0.0.1:${port}`

    await healthBecomes(base, 200) // 503 "starting" until the readiness gate has checked schema and stores
    const health = await fetch(`${base}/api/health`)
    expect(health.status).to.equal(200)
    expect(await health.json()).to.deep.include({
      status: 'ok',
      checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
    })
    const live = await fetch(`${base}/api/health/live`)
    expect(live.status).to.equal(200)

    const exited = exitOf(server)
    server.kill('SIGTERM')
    expect(await exited).to.deep.equal({ code: 0, signal: null })
    expect(output.text).to.include('"msg":"stopped"')
    expect(output.text).not.to.match(/"level":(50|60)/)
  })
})

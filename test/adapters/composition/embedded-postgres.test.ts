import { expect } from 'chai'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile, chmod, mkdir, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../adapters/composition/embedded-postgres'
import { StartupError } from '../../../adapters/composition/startup-error'

const query = async (url: string, sql: string): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows as ReadonlyArray<Record<string, unknown>>
  } finally {
    await client.end()
  }
}

const rejectionOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

/** A pid that belonged to a process which has exited. */
const deadPid = async (): Promise<number> => {
  const child = spawn('true')
  await new Promise((resolve) => child.once('exit', resolve))
  return child.pid!
}

const holdInChild = (dataDir: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const fixture = path.join(__dirname, 'fixtures', 'hold-embedded-postgres.ts')
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let errors = ''
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child))
    child.once('exit', (code) => reject(new Error(`child exited (${code}): ${errors}`)))
  })

describe('embedded PostgreSQL', function () {
  this.timeout(90_000)
  let dataDir: string
  let running: EmbeddedPostgres | undefined

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-embedded-'))
  })
  afterEach(async () => {
    await running?.stop()
    running = undefined
    await rm(dataDir, { recursive: true, force: true })
  })

  it('keeps its data and its port across a restart', async () => {
    running = await startEmbeddedPostgres(dataDir)
    const firstPort = running.port
    expect(firstPort).not.to.equal(5432)
    await query(running.ownerUrl, "create table kept (v text); insert into kept values ('still here')")
    await running.stop()

    running = await startEmbeddedPostgres(dataDir)
    expect(running.port).to.equal(firstPort)
    expect(await query(running.ownerUrl, 'select v from kept')).to.deep.equal([{ v: 'still here' }])
  })

  it('refuses a second instance on the same DATA_DIR with a clear error and leaves the first one serving', async () => {
    running = await startEmbeddedPostgres(dataDir)
    const error = await rejectionOf(startEmbeddedPostgres(dataDir))
    expect(error).to.be.instanceOf(StartupError)
    expect(error.message).to.match(/DATA_DIR .* is in use by another ZKEB process \(pid \d+/)
    expect(await query(running.ownerUrl, 'select 1 as ok')).to.deep.equal([{ ok: 1 }])
  })

  it('refuses a DATA_DIR held by another live process', async () => {
    const holder = await holdInChild(dataDir)
    try {
      const error = await rejectionOf(startEmbeddedPostgres(dataDir))
      expect(error.message).to.include(`pid ${holder.pid}`)
    } finally {
      holder.kill('SIGINT')
      await new Promise((resolve) => holder.once('exit', resolve))
    }
  })

  it('takes over after a process that held DATA_DIR was killed, stopping the server it left behind', async () => {
    const holder = await holdInChild(dataDir)
    holder.kill('SIGKILL')
    await new Promise((resolve) => holder.once('exit', resolve))
    const orphanPid = Number(
      (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    )

    running = await startEmbeddedPostgres(dataDir)
    expect(await query(running.ownerUrl, 'select 1 as ok')).to.deep.equal([{ ok: 1 }])
    const newPid = Number(
      (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    )
    expect(newPid).not.to.equal(orphanPid)
  })

  it('ignores a lock file left by a process that no longer exists', async () => {
    await writeFile(path.join(dataDir, 'zkeb.lock'), `${await deadPid()}\n`)
    running = await startEmbeddedPostgres(dataDir)
    expect(await readFile(path.join(dataDir, 'zkeb.lock'), 'utf8')).to.equal(`${process.pid}\n`)
  })

  it('ignores a lock file whose pid now belongs to a program other than node', async () => {
    const stranger = spawn('sleep', ['30'])
    try {
      await writeFile(path.join(dataDir, 'zkeb.lock'), `${stranger.pid}\n`)
      running = await startEmbeddedPostgres(dataDir)
      expect(await readFile(path.join(dataDir, 'zkeb.lock'), 'utf8')).to.equal(`${process.pid}\n`)
    } finally {
      stranger.kill()
    }
  })

  it('keeps its generated superuser password in a file only its owner can read', async () => {
    running = await startEmbeddedPostgres(dataDir)
    const info = await stat(path.join(dataDir, 'secrets', 'postgres-superuser-password'))
    expect(info.mode & 0o777).to.equal(0o600)
    const password = (
      await readFile(path.join(dataDir, 'secrets', 'postgres-superuser-password'), 'utf8')
    ).trim()
    expect(running.ownerUrl).to.include(encodeURIComponent(password))
  })

  it('explains in one line, as root, that the postgres user cannot reach DATA_DIR', async function () {
    if (process.getuid?.() !== 0) this.skip()
    const closed = path.join(dataDir, 'closed')
    await mkdir(closed, { mode: 0o700 })
    await chmod(closed, 0o700)
    const error = await rejectionOf(startEmbeddedPostgres(path.join(closed, 'data')))
    expect(error).to.be.instanceOf(StartupError)
    expect(error.message)
      .to.include(`cannot enter ${closed}`)
      .and.to.include('DATA_DIR')
      .and.to.include('DATABASE_URL')
    expect(error.message).not.to.include('\n')
  })
})

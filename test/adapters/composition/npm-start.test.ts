import { expect } from 'chai'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { listBackups, login, pull, push, register, registerDevice } from '../../../client/sdk'
import { isAlive } from '../../../adapters/composition/data-dir'
import { optionsFor, readAll, right, someBytes } from '../../client/sdk/sdk-kit'
import { redisUrl, requireRedis } from '../../support/redis'
import { healthBecomes, listeningPort, type ServerProcess } from '../../support/server-process'

const root = path.resolve(__dirname, '../../..')

type NpmStart = ServerProcess & Readonly<{ child: ChildProcessByStdio<null, Readable, Readable> }>

/**
 * `npm start` as a user runs it, in a process group of its own (so a test can signal the group, and clean it
 * up). `--ignore-scripts` skips only prestart's web build: the processes are npm start's.
 */
const npmStart = (env: Readonly<Record<string, string>>): NpmStart => {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1' }
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'STORE', 'REDIS_URL', 'PERSISTENCE', 'LOG_LEVEL'])
    delete fullEnv[name]
  const child = spawn('npm', ['start', '--ignore-scripts'], {
    cwd: root,
    env: { ...fullEnv, ...env },
    detached: true,
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

/** The processes of a process group, from /proc: pid and command name. */
const groupMembers = async (pgid: number): Promise<ReadonlyArray<{ pid: number; comm: string }>> => {
  const stats = await Promise.all(
    (await readdir('/proc'))
      .filter((d) => /^\d+$/.test(d))
      .map((d) => readFile(`/proc/${d}/stat`, 'utf8').catch(() => '')),
  )
  return stats.flatMap((stat) => {
    // pid (comm) state ppid pgrp …
    const match = /^(\d+) \((.*)\) \S+ \d+ (\d+)/.exec(stat)
    return match !== null && Number(match[3]) === pgid ? [{ pid: Number(match[1]), comm: match[2]! }] : []
  })
}

/** The pids that logged "ZKEB listening" (with WORKERS > 1, the workers). */
const listeningPids = (output: string): ReadonlyArray<number> =>
  [...output.matchAll(/"pid":(\d+),[^\n]*"msg":"ZKEB listening/g)].map((m) => Number(m[1]))

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })

const eventually = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Whatever a failed test left in the group is killed, PostgreSQL included (it ignores SIGKILL of its parent). */
const cleanUp = async (started: NpmStart | undefined, postmaster: number | undefined) => {
  const pgid = started?.child.pid
  if (pgid !== undefined && (await groupMembers(pgid)).length > 0) process.kill(-pgid, 'SIGKILL')
  if (postmaster !== undefined && isAlive(postmaster)) process.kill(postmaster, 'SIGINT')
}

describe('npm start (the process a user starts)', function () {
  this.timeout(180_000)
  let dataDir: string
  let started: NpmStart | undefined
  let postmaster: number | undefined

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-npm-start-'))
    started = undefined
    postmaster = undefined
  })
  afterEach(async () => {
    await cleanUp(started, postmaster)
    await rm(dataDir, { recursive: true, force: true })
  })

  it('with PERSISTENCE=memory runs on the in-memory twins alone: registers, logs in, uploads, lists, downloads', async () => {
    const unused = path.join(dataDir, 'never-created')
    started = npmStart({ PERSISTENCE: 'memory', DATA_DIR: unused })
    const base = `http://127.0.0.1:${await listeningPort(started)}`
    await healthBecomes(base, 200)
    expect(await (await fetch(`${base}/api/health`)).json()).to.deep.include({
      status: 'ok',
      checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
    })
    expect((await groupMembers(started.child.pid!)).map((p) => p.comm)).not.to.include('postgres')

    const options = optionsFor({ base })
    const account = { username: 'memory-probe', password: 'a password for the memory probe' }
    right(await register(options, account))
    const { session } = right(await registerDevice(right(await login(options, account)), 'probe'))
    const bytes = someBytes(300_000)
    const metadata = {
      name: 'probe.bin',
      size: bytes.length,
      mtime: '2026-01-01T00:00:00.000Z',
      type: 'file',
      tags: [],
    }
    const { backupId } = right(await push(session, { source: () => [bytes], metadata }))
    expect(right(await listBackups(session)).map((b) => b.backupId)).to.deep.equal([backupId])
    expect((await readAll(right(await pull(session, backupId)).content)).equals(Buffer.from(bytes))).to.equal(
      true,
    )

    process.kill(started.child.pid!, 'SIGTERM')
    await started.exited
    expect(await refused(Number(new URL(base).port))).to.equal(true)
    expect(existsSync(unused)).to.equal(false)
    expect(started.output()).to.include('"msg":"stopped"')
  })

  for (const target of ['the npm process', 'its process group'] as const)
    it(`on SIGTERM to ${target}, closes the port, stops the embedded PostgreSQL and releases DATA_DIR`, async () => {
      started = npmStart({ DATA_DIR: dataDir })
      const port = await listeningPort(started)
      await healthBecomes(`http://127.0.0.1:${port}`, 200)
      const lock = path.join(dataDir, 'zkeb.lock')
      const nodePid = Number(await readFile(lock, 'utf8'))
      postmaster = Number(
        (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      )
      expect(isAlive(nodePid) && isAlive(postmaster)).to.equal(true)

      const npm = started.child.pid!
      process.kill(target === 'the npm process' ? npm : -npm, 'SIGTERM')
      await eventually('the port is closed', () => refused(port))
      await eventually('the embedded PostgreSQL has stopped', () => !isAlive(postmaster!))
      await eventually('the server process has exited', () => !isAlive(nodePid))
      expect(existsSync(lock), 'the DATA_DIR lock').to.equal(false)
      await started.exited
      await eventually(
        'every process of the group has exited',
        async () => (await groupMembers(npm)).length === 0,
      )
      expect(started.output()).to.include('"msg":"stopped"')
    })

  it('with WORKERS=2, the primary alone runs the embedded PostgreSQL; SIGTERM to the group stops every process', async function () {
    requireRedis(this)
    started = npmStart({ DATA_DIR: dataDir, WORKERS: '2', STORE: 'redis', REDIS_URL: await redisUrl() })
    const port = await listeningPort(started, 120_000)
    await healthBecomes(`http://127.0.0.1:${port}`, 200, 60_000)
    const lockHolder = Number(await readFile(path.join(dataDir, 'zkeb.lock'), 'utf8'))
    postmaster = Number(
      (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    )
    await eventually('both workers listen', () => listeningPids(started!.output()).length === 2)
    const workers = listeningPids(started.output())
    expect(workers, 'the lock holder is the primary, not a worker').not.to.include(lockHolder)
    await eventually('one worker serves the admin socket', () => existsSync(path.join(dataDir, 'admin.sock')))

    const npm = started.child.pid!
    process.kill(-npm, 'SIGTERM')
    await eventually('the port is closed', () => refused(port))
    await eventually('the embedded PostgreSQL has stopped', () => !isAlive(postmaster!))
    for (const pid of [lockHolder, ...workers])
      await eventually(`process ${pid} has exited`, () => !isAlive(pid))
    expect(existsSync(path.join(dataDir, 'zkeb.lock')), 'the DATA_DIR lock').to.equal(false)
    await started.exited
    expect(started.output().match(/"msg":"stopped"/g)).to.have.length(3)
  })
})

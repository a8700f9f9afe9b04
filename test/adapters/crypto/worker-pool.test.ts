/**
 * The worker_threads pool with real threads: a test worker (echo, out of order, crash on demand) for the pool's
 * mechanics, and the real OPAQUE worker for answers matched to their requests and a killed worker.
 * Threads are counted in /proc/self/task (Linux), so a pool that forgot a thread fails here, not silently
 * under mocha --exit.
 */
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pooledOpaqueServer } from '../../../adapters/crypto/pooled-opaque-server'
import { runOpaqueStep } from '../../../adapters/crypto/opaque-steps'
import { startWorkerPool, WorkerPoolError } from '../../../adapters/crypto/worker-pool'
import type { EchoRequest, EchoResult } from '../../support/workers/echo-worker'
import { testOpaqueServerSetup } from '../../support/in-memory-zkeb'

const echoWorker = join(__dirname, '../../support/workers/echo-worker.ts')
const brokenWorker = join(__dirname, '../../support/workers/broken-worker.ts')
const osThreads = (): number => readdirSync('/proc/self/task').length

const rejectionOf = async (p: Promise<unknown>): Promise<WorkerPoolError> => {
  try {
    await p
  } catch (e) {
    expect(e).to.be.instanceOf(WorkerPoolError)
    return e as WorkerPoolError
  }
  throw new Error('expected a rejection')
}

/** Waits (without a wall-clock assertion) until `check` holds. */
const eventually = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20))
}

describe('worker pool (worker_threads) @memory', () => {
  before(() => opaque.ready)

  it('matches each answer to its request when answers come back out of order, on every thread', async () => {
    const pool = await startWorkerPool<EchoRequest, EchoResult>({ file: echoWorker, size: 3 })
    try {
      const values = Array.from({ length: 60 }, (_, i) => i)
      const answers = await Promise.all(values.map((value) => pool.run({ value, delayMs: (value * 7) % 13 })))
      expect(answers.map((a) => a.echo)).to.deep.equal(values)
      expect(new Set(answers.map((a) => a.threadId)).size).to.equal(3)
    } finally {
      await pool.close()
    }
  })

  it('fails the in-flight calls of a crashed worker, replaces it, and keeps serving', async () => {
    const pool = await startWorkerPool<EchoRequest, EchoResult>({ file: echoWorker, size: 1 })
    try {
      const [crashed] = pool.workers()
      const slow = pool.run({ value: 1, delayMs: 5_000 })
      const crash = pool.run({ value: 2, crash: true })
      const [a, b] = await Promise.all([rejectionOf(slow), rejectionOf(crash)])
      expect([a.reason, b.reason]).to.deep.equal(['crashed', 'crashed'])
      expect((a.cause as Error).message).to.equal('this worker was asked to crash')
      await eventually(() => pool.workers().length === 1 && pool.workers()[0] !== crashed)
      expect((await pool.run({ value: 3 })).echo).to.equal(3)
    } finally {
      await pool.close()
    }
  })

  it('refuses to start when a worker cannot, and leaves no thread behind', async () => {
    const before = osThreads()
    const error = await rejectionOf(startWorkerPool({ file: brokenWorker, size: 2 }))
    expect(error.reason).to.equal('not-started')
    expect(osThreads()).to.equal(before)
  })

  it('close() ends every thread and fails what was pending and what comes later', async () => {
    const before = osThreads()
    const pool = await startWorkerPool<EchoRequest, EchoResult>({ file: echoWorker, size: 2 })
    expect(osThreads()).to.be.at.least(before + 2)
    const workers = pool.workers()
    const exits = workers.map((w) => once(w, 'exit'))
    const pending = rejectionOf(pool.run({ value: 1, delayMs: 5_000 }))
    await pool.close()
    await Promise.all(exits)
    expect((await pending).reason).to.equal('closed')
    expect((await rejectionOf(pool.run({ value: 2 }))).reason).to.equal('closed')
    expect(pool.size()).to.equal(0)
    expect(osThreads()).to.equal(before)
  })
})

describe('OPAQUE on the worker pool @memory', () => {
  const password = 'pw'
  before(() => opaque.ready)

  it('answers concurrent steps of different users each with its own answer', async () => {
    const setup = await testOpaqueServerSetup()
    const pooled = await pooledOpaqueServer(setup, 2)
    try {
      // A registration response is deterministic for (setup, username, request): the pool must give each
      // request exactly what this thread computes for it.
      const steps = Array.from({ length: 40 }, (_, i) => ({
        op: 'registrationResponse' as const,
        username: `user-${i}`,
        registrationRequest: opaque.client.startRegistration({ password }).registrationRequest,
      }))
      const answers = await Promise.all(steps.map((step) => pooled.pool.run(step)))
      expect(answers).to.deep.equal(steps.map((step) => runOpaqueStep(setup, step)))
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).to.equal(40)
    } finally {
      await pooled.close()
    }
  })

  it('turns a killed worker into Unavailable for its in-flight logins, then serves from its replacement', async () => {
    const pooled = await pooledOpaqueServer(await testOpaqueServerSetup(), 1)
    try {
      const [victim] = pooled.pool.workers()
      const starts = Array.from({ length: 20 }, () =>
        pooled.server.startLogin('x', null, opaque.client.startLogin({ password }).startLoginRequest)(),
      )
      await victim!.terminate() // as the kernel's OOM killer or a fatal error would end it
      const results = await Promise.all(starts)
      const failed = results.filter((r) => r._tag === 'Left')
      expect(failed.length).to.be.greaterThan(0)
      for (const r of failed) expect(r.left._tag).to.equal('Unavailable')
      await eventually(() => pooled.pool.workers().length === 1 && pooled.pool.workers()[0] !== victim)
      const again = await pooled.server.startLogin(
        'x',
        null,
        opaque.client.startLogin({ password }).startLoginRequest,
      )()
      expect(again._tag).to.equal('Right')
    } finally {
      await pooled.close()
    }
  })
})

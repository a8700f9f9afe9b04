import { expect } from 'chai'
import pino from 'pino'
import * as T from 'fp-ts/Task'
import { checkGate, waitUntilReady } from '../../../adapters/composition/readiness-gate'
import type { Readiness } from '../../../application/maintenance'

const logger = pino({ level: 'silent' })
const allOk: Readiness = { ready: true, checks: { database: 'ok', cache: 'ok' } }
const cacheDown: Readiness = { ready: false, checks: { database: 'ok', cache: 'failing' } }

describe('readiness gate', () => {
  it('is ready only with no pending migration and every store answering', async () => {
    const gate = (pending: number, readiness: Readiness) =>
      checkGate({
        pendingMigrations: () => Promise.resolve(pending),
        checkReadiness: () => T.of(readiness),
        logger,
      })
    expect(await gate(0, allOk)).to.deep.equal({ ready: true, pendingMigrations: 0, failing: [] })
    expect(await gate(1, allOk)).to.include({ ready: false, pendingMigrations: 1 })
    expect(await gate(0, cacheDown)).to.deep.equal({ ready: false, pendingMigrations: 0, failing: ['cache'] })
  })

  it('treats a status it cannot read as not ready', async () => {
    const check = await checkGate({
      pendingMigrations: () => Promise.reject(new Error('connection refused')),
      checkReadiness: () => T.of(allOk),
      logger,
    })
    expect(check).to.include({ ready: false, pendingMigrations: 'unknown' })
  })

  it('waits until migrations land, checking again each interval', async () => {
    const pending = [2, 1, 0]
    let calls = 0
    const ready = await waitUntilReady(
      {
        pendingMigrations: () => Promise.resolve(pending[Math.min(calls++, 2)]!),
        checkReadiness: () => T.of(allOk),
        logger,
        intervalMs: 5,
      },
      new AbortController().signal,
    )
    expect(ready).to.equal(true)
    expect(calls).to.equal(3)
  })

  it('gives up when stopped while starting', async () => {
    const stop = new AbortController()
    const waiting = waitUntilReady(
      {
        pendingMigrations: () => Promise.resolve(1),
        checkReadiness: () => T.of(allOk),
        logger,
        intervalMs: 60_000,
      },
      stop.signal,
    )
    setTimeout(() => stop.abort(), 20)
    expect(await waiting).to.equal(false)
  })
})

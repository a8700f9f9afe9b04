/**
 * Fault: PostgreSQL stops (immediate shutdown: every connection cut) while requests and an upload are in
 * flight, then comes back. Expected, as docs/operations.md says:
 * - every request answers 503 `unavailable` with `Retry-After`, within `answerBoundMs` (never hangs);
 * - `/api/health` answers 503 while the database is away, 200 again once it returns, with no restart;
 * - the upload cut off mid-body is never visible: not listed, not fetchable, not counted in the quota.
 * Runs the real HTTP app and composition root over a PostgreSQL of its own (stopped and started with pg_ctl).
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { aUserWithDevice, uploadOverHttp } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from '../attacks/attack-kit'
import { createTestDatabaseOn } from '../support/postgres'
import { anUpload } from '../support/test-client'
import { accountView, fedUpload, timed, until } from './fault-kit'
import { requirePostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres'

/** A request during the outage must answer within this (the pool's acquire timeout is far longer). */
const answerBoundMs = 3000

describe('Fault: PostgreSQL stopped mid-load', function () {
  this.timeout(60_000)
  let pg: ThrowawayPostgres
  let target: Target

  before(async function () {
    requirePostgresBinaries(this)
    pg = await startThrowawayPostgres()
    target = await startTarget({ database: () => createTestDatabaseOn(pg.url) })
  })
  after(async () => {
    await target?.close().catch(() => undefined)
    pg?.destroy()
  })

  it('answers 503 with Retry-After fast, reports unhealthy, never shows the cut-off upload, and recovers', async () => {
    const user = await aUserWithDevice(target)
    const kept = anUpload(user.device.deviceId, user.device.key)
    expect((await uploadOverHttp(target, user.token, kept)).status).to.equal(201)
    const before = await accountView(target, user.token)

    const cut = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(256 * 1024) })
    const inFlight = fedUpload(target, user.token, cut)
    inFlight.feed(128 * 1024)
    await new Promise((resolve) => setTimeout(resolve, 300))
    pg.stop()
    inFlight.finish()

    const during = await Promise.all([
      ...Array.from({ length: 8 }, () =>
        timed(() => target.call('GET', '/api/v1/backups', { token: user.token })),
      ),
      timed(() => target.call('GET', '/api/v1/account', { token: user.token })),
      timed(() => uploadOverHttp(target, user.token, anUpload(user.device.deviceId, user.device.key))),
      timed(() => target.call('GET', '/api/health')),
    ])
    for (const answer of during) {
      expect(answer.status, JSON.stringify(answer)).to.equal(503)
      expect(answer.ms, JSON.stringify(answer)).to.be.below(answerBoundMs)
    }
    for (const answer of during.slice(0, -1)) expect(answer.retryAfter).to.match(/^\d+$/)
    expect(await inFlight.status).to.be.oneOf([0, 503])

    pg.start()
    await until('health after PostgreSQL returned', 15_000, () => target.call('GET', '/api/health'))
    const after = await accountView(target, user.token)
    expect(after).to.deep.equal(before)
    const ghost = await target.call('GET', `/api/v1/backups/${cut.input.backupId}`, { token: user.token })
    expect(ghost.status).to.equal(404)
    await ghost.arrayBuffer()
  })
})

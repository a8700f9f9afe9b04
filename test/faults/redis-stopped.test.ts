/**
 * Fault: Redis (STORE=redis: sessions, login state, rate limits) dies and comes back on the same port.
 * Expected, as docs/operations.md says — the server fails closed and recovers by itself:
 * - logins, authenticated calls and every rate-limited route answer 503 `unavailable` with `Retry-After`
 *   within `answerBoundMs` (no call proceeds unlimited or unauthenticated, none hangs or answers 500);
 * - `/api/health` answers 503, `/api/health/live` stays 200 (the process is fine: do not restart it);
 * - once Redis is back (empty: nothing persisted) the same process serves again without a restart; sessions
 *   are recorded in PostgreSQL (Redis only caches them), so the lost Redis ends none: a live session's access
 *   and refresh tokens keep working, and a session revoked before the loss stays revoked.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { aUserWithDevice, logInOverHttp } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from '../attacks/attack-kit'
import { freePort, requireRedis } from '../support/redis'
import { timed, until } from './fault-kit'

const answerBoundMs = 3000

/** A redis-server that can be killed and started again on the same port. */
const restartableRedis = async () => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-fault-redis-'))
  let child: ChildProcess | undefined
  const start = () =>
    (child = spawn(
      process.env.REDIS_SERVER_BIN ?? 'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    ))
  const kill = async () => {
    const dying = child
    if (dying === undefined || dying.exitCode !== null) return
    const exited = new Promise((resolve) => dying.once('exit', resolve))
    dying.kill('SIGKILL')
    await exited
  }
  start()
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    destroy: async () => (await kill(), rmSync(dir, { recursive: true, force: true })),
  }
}

describe('Fault: Redis stopped (STORE=redis)', function () {
  this.timeout(60_000)
  let redis: Awaited<ReturnType<typeof restartableRedis>>
  let target: Target

  before(async function () {
    requireRedis(this)
    redis = await restartableRedis()
    target = await startTarget({ env: { STORE: 'redis', REDIS_URL: redis.url } })
  })
  after(async () => {
    await target?.close().catch(() => undefined)
    await redis?.destroy()
  })

  it('fails closed with 503 + Retry-After, keeps liveness, and serves again once Redis returns, sessions intact', async () => {
    const user = await aUserWithDevice(target)
    expect((await target.call('GET', '/api/v1/backups', { token: user.token })).status).to.equal(200)
    const revoked = await logInOverHttp(target, user.account)
    const logout = await target.call('DELETE', '/api/v1/sessions/current', { token: revoked.accessToken })
    expect(logout.status).to.equal(204)
    await logout.arrayBuffer()

    await redis.kill()
    const during = await Promise.all([
      timed(() => target.call('GET', '/api/v1/backups', { token: user.token })),
      timed(() => target.call('GET', '/api/v1/account', { token: user.token })),
      timed(() =>
        target.call('POST', '/api/v1/sessions/start', {
          json: { username: user.account.username, startLoginRequest: 'AAAA' },
        }),
      ),
      timed(() =>
        target.call('POST', '/api/v1/sessions/refresh', { json: { refreshToken: 'x'.repeat(40) } }),
      ),
    ])
    for (const answer of during) {
      expect(answer.status, JSON.stringify(answer)).to.equal(503)
      expect(answer.ms, JSON.stringify(answer)).to.be.below(answerBoundMs)
      expect(answer.retryAfter).to.match(/^\d+$/)
    }
    expect((await timed(() => target.call('GET', '/api/health'))).status).to.equal(503)
    expect((await timed(() => target.call('GET', '/api/health/live'))).status).to.equal(200)

    redis.start()
    await until('health after Redis returned', 15_000, () => target.call('GET', '/api/health'))
    // The new Redis is empty, but PostgreSQL holds the sessions: the live one survived, the revoked one did not
    // come back, and a new login works on the same process.
    expect((await timed(() => target.call('GET', '/api/v1/backups', { token: user.token }))).status).to.equal(
      200,
    )
    const again = await timed(() => target.call('GET', '/api/v1/backups', { token: revoked.accessToken }))
    expect(again.status).to.equal(401)
    const refreshed = await target.call('POST', '/api/v1/sessions/refresh', {
      json: { refreshToken: user.session.refreshToken },
    })
    expect(refreshed.status).to.equal(200)
    const { accessToken } = (await refreshed.json()) as { accessToken: string }
    expect(
      (await timed(() => target.call('GET', '/api/v1/account', { token: accessToken }))).status,
    ).to.equal(200)
    const revokedRefresh = await timed(() =>
      target.call('POST', '/api/v1/sessions/refresh', { json: { refreshToken: revoked.refreshToken } }),
    )
    expect(revokedRefresh.status).to.equal(401)
    const session = await logInOverHttp(target, user.account, user.device.deviceId)
    const fresh = await target.call('GET', '/api/v1/backups', { token: session.accessToken })
    expect(fresh.status).to.equal(200)
    await fresh.arrayBuffer()
  })
})

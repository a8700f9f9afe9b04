/**
 * The restic REST backend under the rate limits: failed basic-auth attempts are limited per client IP (and a
 * limited IP gets 429 before any credential is checked) and per username (failures beyond the limit are
 * 429, while that user's valid tokens keep working: usernames are public, and nobody may stop someone's
 * backups by guessing in their name); valid restic calls spend the account's points like any API call.
 * Every 429 carries Retry-After, which restic's retries need. Client IPs come from X-Forwarded-For.
 */
import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import { createHttpApp, defaultHttpLimits } from '../../../adapters/http/create-http-app'
import { defaultRateLimitRules, type RateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { startHttpServer, type RunningHttpServer } from '../../../adapters/http/start-http-server'
import { inMemoryRateLimiter } from '../../../adapters/in-memory/in-memory-rate-limiter'
import { inMemoryZkeb, type InMemoryZkeb } from '../../support/in-memory-zkeb'
import { callerFor } from '../../attacks/attack-kit'
import {
  aUserWithDevice,
  basicAuth,
  looseRateLimits,
  resticTokenOverHttp,
  type CallOptions,
} from '../http/http-test-kit'

const rule = (name: string, points: number) => ({
  name: `${name}-${randomUUID()}`,
  points,
  windowSeconds: 60,
})

describe('restic REST backend: rate limits', function () {
  this.timeout(60_000)
  let zkeb: InMemoryZkeb
  let running: RunningHttpServer
  let base: string
  let call: (method: string, path: string, options?: CallOptions) => Promise<Response>
  let nextIp = 1
  const freshIp = () => `198.51.100.${nextIp++ % 250}`

  const start = async (rateLimits: RateLimitRules) => {
    zkeb = await inMemoryZkeb()
    const app = createHttpApp({
      useCases: zkeb.useCases,
      rateLimiter: inMemoryRateLimiter(zkeb.clock),
      rateLimits,
      limits: defaultHttpLimits,
      version: 'restic-limits',
      trustProxy: true,
    })
    running = await startHttpServer(app, { port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${running.port}`
    call = callerFor(base)
  }
  afterEach(() => running?.close(500))

  const restic = (ip: string, username: string, secret: string, path = 'repo/keys/') =>
    fetch(`${base}/restic/${path}`, {
      headers: { Authorization: basicAuth(username, secret), 'X-Forwarded-For': ip },
    })
  const statusesOf = async (responses: Promise<Response>[]): Promise<number[]> =>
    Promise.all(
      responses.map(async (pending) => {
        const res = await pending
        await res.arrayBuffer()
        return res.status
      }),
    )
  const withSetup = (ip: string) => ({
    call: (m: string, p: string, o: CallOptions = {}) =>
      call(m, p, { ...o, headers: { 'X-Forwarded-For': ip, ...o.headers } }),
  })

  it('answers 429 with Retry-After from the IP that failed too often, checking no credential, valid or not', async () => {
    const resticAuth = rule('restic-auth', 3)
    await start({ ...looseRateLimits, resticAuth })
    const user = await aUserWithDevice(withSetup(freshIp()))
    const token = await resticTokenOverHttp(withSetup(freshIp()), user.token)
    const attacker = freshIp()
    const wrong = () => restic(attacker, user.account.username, 'x'.repeat(43))
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push(...(await statusesOf([wrong()])))
    expect(statuses).to.deep.equal([401, 401, 401, 429, 429])
    const limited = await restic(attacker, user.account.username, token.token)
    expect(limited.status).to.equal(429)
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60)
    expect(limited.headers.get('ratelimit-remaining')).to.equal('0')
    expect(await limited.text()).to.equal('Too Many Requests\n')
    // Another IP is not affected.
    expect((await restic(freshIp(), user.account.username, token.token)).status).to.equal(200)
  })

  it('answers 429 to failures for a username from any IP, and still takes its valid tokens', async () => {
    const resticAuth = rule('restic-auth', 3)
    await start({ ...looseRateLimits, resticAuth })
    const user = await aUserWithDevice(withSetup(freshIp()))
    const token = await resticTokenOverHttp(withSetup(freshIp()), user.token)
    const statuses = []
    for (let i = 0; i < 5; i++)
      statuses.push(...(await statusesOf([restic(freshIp(), user.account.username, `guess-${i}`)])))
    expect(statuses).to.deep.equal([401, 401, 401, 429, 429])
    expect((await restic(freshIp(), user.account.username.toUpperCase(), 'guess')).status).to.equal(429)
    expect((await restic(freshIp(), user.account.username, token.token)).status).to.equal(200)
    // Another username is not affected.
    expect((await restic(freshIp(), 'someone-else', 'guess')).status).to.equal(401)
  })

  it('spends the account’s points on restic calls, shared with the API, then 429 with Retry-After', async () => {
    const account = rule('account', 6)
    await start({ ...looseRateLimits, account })
    const ip = freshIp()
    const user = await aUserWithDevice(withSetup(ip)) // spends 1 (adding the device)
    const token = await resticTokenOverHttp(withSetup(ip), user.token) // spends 1
    const statuses = await statusesOf(
      [1, 2, 3, 4].map(() => restic(freshIp(), user.account.username, token.token)),
    )
    expect(statuses).to.deep.equal([200, 200, 200, 200])
    const limited = await restic(freshIp(), user.account.username, token.token)
    expect(limited.status).to.equal(429)
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60)
    const api = await call('GET', '/api/v1/devices', {
      token: user.token,
      headers: { 'X-Forwarded-For': ip },
    })
    expect(api.status).to.equal(429)
  })

  it('limits wrong secrets under the default rules well before 2,000 attempts', async () => {
    await start(defaultRateLimitRules)
    const user = await aUserWithDevice(withSetup(freshIp()))
    const attacker = freshIp()
    let firstLimited = 0
    for (let i = 1; i <= 100 && firstLimited === 0; i++) {
      const [status] = await statusesOf([restic(attacker, user.account.username, `wrong-${i}`)])
      if (status === 429) firstLimited = i
      else expect(status).to.equal(401)
    }
    expect(firstLimited).to.equal(defaultRateLimitRules.resticAuth.points + 1)
  })
})

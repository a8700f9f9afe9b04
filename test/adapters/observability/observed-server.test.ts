/**
 * The real server process (`npm start`'s main.ts) on real PostgreSQL and Redis with every observability
 * output on: after real traffic, GET /metrics shows every figure of the seed dashboard, StatsD receives
 * them, OTLP spans continue the caller's traceparent and carry no secret, and the log lines name routes by
 * template, accounts by keyed hash, and hold no secret.
 */
import { expect } from 'chai'
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { promisify } from 'node:util'
import * as opaque from '@serenity-kit/opaque'
import {
  addDeviceOverHttp,
  jsonOf,
  logInOverHttp,
  registerOverHttp,
  type TestServer,
  uploadOverHttp,
} from '../http/http-test-kit'
import { freshDatabase, type FreshDatabase } from '../../support/fresh-database'
import { redisUrl, requireRedis } from '../../support/redis'
import { aBogusFinishLoginRequest, anUpload } from '../../support/test-client'
import { eventually, spansIn, startHttpCollector, startStatsdListener } from './collectors'

type Server = ChildProcessByStdio<null, Readable, Readable>

const root = path.resolve(__dirname, '../../..')
const metricsToken = randomBytes(24).toString('hex')

/** The value of the first sample of `name` whose labels include every one of `labels`. */
export const sampleOf = (
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined => {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line)
    if (match === null || match[1] !== name) continue
    const set = match[2] ?? ''
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(match[3])
  }
  return undefined
}

const portFrom = (output: { text: string }, pattern: RegExp): number | undefined => {
  const port = pattern.exec(output.text)?.[1]
  return port === undefined ? undefined : Number(port)
}

describe('the observed server process (logs, metrics, traces on real PostgreSQL and Redis)', function () {
  this.timeout(120_000)
  let dataDir: string
  let database: FreshDatabase | null
  let server: Server | undefined
  const output = { text: '' }
  let collector: Awaited<ReturnType<typeof startHttpCollector>>
  let statsd: Awaited<ReturnType<typeof startStatsdListener>>
  let api: TestServer
  let metricsPort: number

  before(async function () {
    requireRedis(this)
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-observed-'))
    database = await freshDatabase('zkeb_observed')
    collector = await startHttpCollector()
    statsd = await startStatsdListener()
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      STORE: 'redis',
      REDIS_URL: await redisUrl(),
      METRICS_PORT: '0',
      METRICS_TOKEN: metricsToken,
      STATSD_HOST: '127.0.0.1',
      STATSD_PORT: String(statsd.port),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      LOG_LEVEL: 'info',
    }
    delete env['DATABASE_URL']
    delete env['SENTRY_DSN']
    if (database !== null) env['DATABASE_URL'] = database.url
    server = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['adapters/composition/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    server.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()))
    server.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()))
    await eventually(
      () => /ZKEB listening/.test(output.text) || server?.exitCode !== null,
      60_000,
      'listening',
    )
    const apiPort = portFrom(output, /"port":(\d+),"msg":"ZKEB listening/)
    const scrapePort = portFrom(output, /"port":(\d+),"msg":"metrics listening"/)
    if (apiPort === undefined || scrapePort === undefined)
      throw new Error(`server did not start:\n${output.text}`)
    metricsPort = scrapePort
    const base = `http://127.0.0.1:${apiPort}`
    const call: TestServer['call'] = (method, p, o = {}) =>
      fetch(base + p, {
        method,
        headers: {
          ...(o.json === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(o.token === undefined ? {} : { Authorization: `Bearer ${o.token}` }),
          ...o.headers,
        },
        ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
        ...(o.body === undefined ? {} : { body: o.body, duplex: 'half' }),
      })
    // The kit's helpers use only `call` and `base`.
    api = { base, call } as unknown as TestServer
  })

  after(async () => {
    if (server !== undefined && server.exitCode === null) server.kill('SIGKILL')
    await collector?.close()
    await statsd?.close()
    await database?.drop()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  const secrets: string[] = []
  const traceId = randomBytes(16).toString('hex')
  const parentSpanId = randomBytes(8).toString('hex')
  let accountId = ''
  let uploadBytes = 0
  let scrapedText = ''

  it('serves real traffic: logins (one failing), an upload, a download, trash, 429s and a logged-out token', async () => {
    const account = await registerOverHttp(api)
    accountId = account.accountId
    const session = await logInOverHttp(api, account)
    const { deviceId, key } = await addDeviceOverHttp(api, session.accessToken)
    const upload = anUpload(deviceId, key, { content: randomBytes(20_000) })
    uploadBytes = upload.content.length
    secrets.push(account.password, account.recoveryProof, session.accessToken, session.refreshToken)
    secrets.push(upload.input.signature, upload.input.wrappedKey, upload.input.encryptedMetadata)
    expect((await uploadOverHttp(api, session.accessToken, upload)).status).to.equal(201)

    const backupPath = `/api/v1/backups/${upload.input.backupId}`
    const traceparent = `00-${traceId}-${parentSpanId}-01`
    const download = await api.call('GET', `${backupPath}/content?secret-query=${account.password}`, {
      token: session.accessToken,
      headers: { traceparent },
    })
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(upload.content))).to.equal(true)
    expect((await api.call('DELETE', backupPath, { token: session.accessToken })).status).to.equal(204)

    await opaque.ready
    const { startLoginRequest } = opaque.client.startLogin({ password: 'wrong' })
    const started = await jsonOf<{ loginId: string }>(
      await api.call('POST', '/api/v1/sessions/start', {
        json: { username: account.username, startLoginRequest },
      }),
    )
    const failed = await api.call('POST', '/api/v1/sessions/finish', {
      json: { loginId: started.loginId, finishLoginRequest: aBogusFinishLoginRequest() },
    })
    expect(failed.status).to.equal(401)

    // api-v1 allows 10 login starts a minute per username: the 11th and 12th are refused.
    const statuses: number[] = []
    for (let i = 0; i < 12; i++)
      statuses.push(
        (
          await api.call('POST', '/api/v1/sessions/start', {
            json: { username: account.username, startLoginRequest },
          })
        ).status,
      )
    expect(statuses).to.include(429)

    expect(
      (await api.call('DELETE', '/api/v1/sessions/current', { token: session.accessToken })).status,
    ).to.equal(204)
    expect((await api.call('GET', '/api/v1/account', { token: session.accessToken })).status).to.equal(401)
  })

  it('shows every figure of the dashboard at GET /metrics on METRICS_PORT', async () => {
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
    expect(scraped.status).to.equal(200)
    const text = await scraped.text()
    scrapedText = text
    const at = (name: string, labels: Record<string, string> = {}) => {
      const value = sampleOf(text, name, labels)
      expect(value, `${name} ${JSON.stringify(labels)}`).to.be.a('number')
      return value as number
    }
    const content = '/api/v1/backups/:backupId/content'
    // request rate, latency histograms per route (p50/p95/p99 via histogram_quantile), error rate by class
    expect(at('zkeb_http_requests_total', { route: content, method: 'PUT', status_class: '2xx' })).to.equal(1)
    expect(at('zkeb_http_request_duration_seconds_count', { route: content, method: 'GET' })).to.equal(1)
    expect(at('zkeb_http_request_duration_seconds_bucket', { route: content, le: '+Inf' })).to.be.at.least(1)
    expect(at('zkeb_http_errors_total', { status_class: '4xx', code: 'invalid-credentials' })).to.equal(1)
    expect(at('zkeb_http_errors_total', { status_class: '4xx', code: 'unauthenticated' })).to.equal(1)
    // database pool and query time
    for (const state of ['active', 'idle', 'waiting']) at('zkeb_db_pool_connections', { state })
    expect(at('zkeb_db_pool_max')).to.equal(10)
    expect(at('zkeb_db_query_duration_seconds_count', { outcome: 'ok' })).to.be.greaterThan(10)
    // Redis latency and cache hit rate
    expect(
      at('zkeb_redis_command_duration_seconds_count', { command: 'get', outcome: 'ok' }),
    ).to.be.greaterThan(0)
    expect(at('zkeb_cache_lookups_total', { result: 'hit' })).to.be.greaterThan(0)
    expect(at('zkeb_cache_lookups_total', { result: 'miss' })).to.be.greaterThan(0)
    // process CPU, memory, event-loop lag
    expect(at('process_cpu_seconds_total')).to.be.greaterThan(0)
    expect(at('process_resident_memory_bytes')).to.be.greaterThan(0)
    expect(at('zkeb_memory_limit_bytes')).to.be.greaterThan(0)
    at('nodejs_eventloop_lag_p99_seconds')
    // upload and download bytes
    expect(at('zkeb_http_request_bytes_total', { route: content })).to.equal(uploadBytes)
    // The download's body, plus the upload's small JSON answer.
    expect(at('zkeb_http_response_bytes_total', { route: content }))
      .to.be.greaterThan(uploadBytes)
      .and.below(uploadBytes + 1000)
    // logins and failures, rate-limit rejections
    expect(at('zkeb_logins_total', { outcome: 'success' })).to.equal(1)
    expect(at('zkeb_logins_total', { outcome: 'failure' })).to.equal(1)
    expect(at('zkeb_rate_limit_rejections_total', { route: '/api/v1/sessions/start' })).to.be.at.least(1)
    // quota usage, trash and GC backlog
    expect(at('zkeb_storage', { figure: 'accounts' })).to.equal(1)
    expect(at('zkeb_storage', { figure: 'used_bytes' })).to.equal(uploadBytes)
    expect(at('zkeb_storage', { figure: 'quota_bytes' })).to.equal(10 * 1024 ** 3)
    expect(at('zkeb_storage', { figure: 'trash_backups' })).to.equal(1)
    expect(at('zkeb_storage', { figure: 'trash_bytes' })).to.equal(uploadBytes)
    expect(at('zkeb_storage', { figure: 'purge_backlog_backups' })).to.equal(0)
    expect(at('zkeb_storage', { figure: 'orphan_blobs' })).to.equal(0)
    for (const secret of [...secrets, accountId]) expect(text).not.to.include(secret)
  })

  it('feeds every figure the Grafana dashboard and the alerts read', async () => {
    const dashboard = await readFile(path.join(root, 'ops', 'grafana-dashboard.json'), 'utf8')
    const alerts = await readFile(path.join(root, 'ops', 'alerts.yml'), 'utf8')
    const exprs = (JSON.parse(dashboard) as { panels: Array<{ targets?: Array<{ expr: string }> }> }).panels
      .flatMap((p) => p.targets ?? [])
      .map((t) => t.expr)
    expect(exprs).to.have.length.greaterThan(20)
    const names = new Set([...exprs, alerts].join(' ').match(/\b(zkeb|process|nodejs)_[a-z0-9_]+\b/g) ?? [])
    for (const name of names)
      expect(new RegExp(`^${name}[{ ]`, 'm').test(scrapedText), `${name} is exported`).to.equal(true)
  })

  it('prints the key figures as text with npm run stats', async () => {
    const { stdout } = await promisify(execFile)(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['adapters/observability/stats-cli.ts', '--interval', '1'],
      {
        cwd: root,
        env: { ...process.env, METRICS_URL: `http://127.0.0.1:${metricsPort}/metrics` },
        timeout: 60_000,
      },
    )
    expect(stdout).to.match(/logins ok \/ failed\s+1 \/ 1 since start/)
    expect(stdout).to.match(/trash\s+1 backups/)
    expect(stdout).to.match(/db query p50\/p95\/p99\s+\d/)
  })

  it('serves /metrics on the API port only to the bearer of METRICS_TOKEN', async () => {
    expect((await api.call('GET', '/metrics')).status).to.equal(404)
    expect((await api.call('GET', '/metrics', { token: 'wrong-token-of-some-length' })).status).to.equal(404)
    const granted = await api.call('GET', '/metrics', { token: metricsToken })
    expect(granted.status).to.equal(200)
    expect(await granted.text()).to.include('zkeb_http_requests_total')
  })

  it('sends the same figures to StatsD under zkeb.api.', async () => {
    await eventually(() => statsd.lines.some((l) => l.startsWith('zkeb.api.logins:')), 5_000, 'statsd lines')
    for (const stat of [
      'http.requests',
      'http.request_duration',
      'http.errors',
      'db.query_duration',
      'redis.command_duration',
    ])
      expect(
        statsd.lines.some((l) => l.startsWith(`zkeb.api.${stat}:`)),
        stat,
      ).to.equal(true)
    expect(
      statsd.lines.some((l) => l.startsWith('zkeb.api.http.requests:1|c|#route:/api/v1/backups/:backupId')),
    ).to.equal(true)
  })

  it('logs one line per request by route template, with trace id, bytes and the account as a keyed hash', () => {
    const lines = output.text
      .split('\n')
      .filter((l) => l.includes('"msg":"request"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const download = lines.find(
      (l) => l['route'] === '/api/v1/backups/:backupId/content' && l['method'] === 'GET',
    )
    expect(download).to.include({ traceId, status: 200, bytesOut: uploadBytes })
    expect(download?.['account']).to.match(/^[0-9a-f]{32}$/)
    expect(download).to.have.keys([
      'level',
      'time',
      'service',
      'pid',
      'requestId',
      'traceId',
      'route',
      'method',
      'status',
      'durationMs',
      'bytesIn',
      'bytesOut',
      'account',
      'msg',
    ])
    const failed = lines.find((l) => l['status'] === 401 && l['route'] === '/api/v1/sessions/finish')
    expect(failed).to.include({ errorCode: 'invalid-credentials' })
    for (const secret of [...secrets, accountId]) expect(output.text).not.to.include(secret)
  })

  it('exports spans over OTLP that continue the incoming traceparent and carry no secret', async () => {
    await eventually(() => spansIn(collector.received).some((s) => s.traceId === traceId), 10_000, 'spans')
    const spans = spansIn(collector.received).filter((s) => s.traceId === traceId)
    const root = spans.find((s) => s.parentSpanId === parentSpanId)
    expect(root, 'a server span whose parent is the caller’s span').not.to.equal(undefined)
    const names = spans.map((s) => s.name)
    expect(names.some((n) => n.includes('/api/v1/backups/:backupId/content'))).to.equal(true)
    expect(names.some((n) => /^pg/.test(n) || n.includes('postgres'))).to.equal(true)
    expect(spansIn(collector.received).some((s) => s.name === 'get' || s.name.includes('redis'))).to.equal(
      true,
    )
    const exported = collector.received.map((r) => r.body).join('\n')
    expect(exported).not.to.include('secret-query')
    for (const secret of [...secrets, accountId]) expect(exported).not.to.include(secret)
  })

  it('stops on SIGTERM with exit 0', async () => {
    const exited = new Promise((resolve) => server?.once('exit', (code) => resolve(code)))
    server?.kill('SIGTERM')
    expect(await exited).to.equal(0)
  })
})

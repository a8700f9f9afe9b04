/**
 * The measurements, in the order they run, each followed at once by its ceiling so the two see the same machine
 * load. Yields one report row per result.
 */
import { randomBytes } from 'node:crypto'
import { pgbench } from './ceilings'
import type { Context } from './context'
import type { Postgres } from './services'
import { getLoop, loginPairs, uploadLoop, uploadPool, type Target } from './scenarios'
import { downloadLoop } from './transfers'
import { cpuMicrosPerRequest, type Row } from './report'
import type { LoadResult } from './load'
import { mixedSections } from './sections-mixed'
import { opsSections } from './sections-ops'

const hex = (bytes: Buffer) => `\\x${bytes.toString('hex')}`
const MiB = 1024 ** 2

/** The -D variables of bench/sql/*.sql for the bench account. */
const sqlVariables = (c: Context): Record<string, string> => ({
  account: c.prepared.account.accountId,
  device: c.prepared.device.deviceId,
  backup: c.prepared.smallBackupId,
  content: hex(randomBytes(4096)),
  metadata: hex(randomBytes(120)),
  wrapped: hex(randomBytes(60)),
  signature: hex(randomBytes(64)),
  sha: randomBytes(32).toString('hex'),
  now: new Date().toISOString(),
})

const koaNote = (bare: LoadResult) =>
  `bare Koa: ${bare.server.cpuPercent.toFixed(0)}% CPU, ${(cpuMicrosPerRequest(bare) ?? NaN).toFixed(0)} µs/req`

const appUrl = (pg: Postgres) => `postgres://zkeb_app@127.0.0.1:${pg.port}/postgres`

export async function* measureSections(c: Context): AsyncGenerator<Row> {
  const { knobs, server, koa, prepared } = c
  const want = (name: string) => knobs.only.size === 0 || knobs.only.has(name)
  const target: Target = { url: server.base, pids: [server.pid], token: prepared.token }
  const koaTarget: Target = { url: koa.base, pids: [koa.pid], token: prepared.token }
  const pgSeconds = knobs.durationS
  const dbCeiling = (name: string) => {
    const r = pgbench(appUrl(c.pg), name, sqlVariables(c), knobs.connections, pgSeconds)
    return { kind: 'pgbench', value: r.tps, unit: 'tps' }
  }
  const req = (scenario: string, load: Awaited<ReturnType<typeof getLoop>>) => ({
    scenario,
    rate: load.rps,
    rateUnit: 'req/s',
    load,
  })

  if (want('live')) {
    const load = await getLoop(target, knobs, '/api/health/live', false)
    const bare = await getLoop(koaTarget, knobs, '/live', false)
    yield {
      ...req('liveness (/api/health/live)', load),
      ceiling: { kind: 'bare Koa', value: bare.rps, unit: 'req/s' },
      note: koaNote(bare),
      target: { text: '≥ 70% of bare Koa', minRatio: 0.7 },
    }
  }
  for (const [section, name, path, script, bareName] of [
    ['list', 'list of 50 backups', '/api/v1/backups?limit=50', 'list-backups', 'list'],
    ['get', 'metadata fetch', `/api/v1/backups/${prepared.smallBackupId}`, 'get-backup', 'get'],
  ] as const) {
    if (!want(section)) continue
    const load = await getLoop(target, knobs, path)
    const db = dbCeiling(script)
    const bare = await getLoop(koaTarget, knobs, `/${bareName}`, false)
    yield {
      ...req(name, load),
      ceiling: db,
      target: { text: '≥ 50% of pgbench, p99 ≤ 25 ms', minRatio: 0.5, maxP99Ms: 25 },
    }
    yield {
      ...req(`${name} (vs bare Koa)`, load),
      ceiling: { kind: 'bare Koa', value: bare.rps, unit: 'req/s' },
      note: koaNote(bare),
      target: null,
    }
  }
  if (want('upload')) {
    const load = await uploadLoop(target, knobs, uploadPool(prepared.device, 4096, 2000 * knobs.durationS))
    const db = dbCeiling('upload-4k')
    yield {
      ...req('upload 4 KiB, one account (commits serialise on its lock)', load),
      ceiling: db,
      note: "pgbench runs the server's SQL for the same account: that account's lock bounds both",
      target: { text: '≥ 50% of pgbench, p99 ≤ 50 ms', minRatio: 0.5, maxP99Ms: 50 },
    }
    yield {
      ...req('upload 4 KiB, one account (vs fsynced file writes)', load),
      ceiling: { kind: 'file write', value: c.disk.small.filesPerS, unit: 'files/s' },
      target: null,
    }
  }
  if (want('large')) {
    const load = await uploadLoop(
      { ...target },
      { ...knobs, connections: 4 },
      uploadPool(prepared.device, MiB, 300 * knobs.durationS),
    )
    const rate = ((load.requests - load.errors) * MiB) / load.seconds
    yield {
      scenario: 'upload 1 MiB (4 connections)',
      rate,
      rateUnit: 'B/s',
      load,
      ceiling: { kind: 'file write', value: c.disk.mib.writeBytesPerS, unit: 'B/s' },
      target: { text: '≥ 60% of file write, RSS flat (+64 MiB)', minRatio: 0.6, maxRssGrowthBytes: 64 * MiB },
    }
    yield {
      scenario: 'upload 1 MiB (vs sha256sum)',
      rate,
      rateUnit: 'B/s',
      load,
      ceiling: { kind: 'sha256sum', value: c.disk.mib.sha256BytesPerS, unit: 'B/s' },
      target: null,
    }
  }
  if (want('download')) {
    const load = await getLoop(target, knobs, `/api/v1/backups/${prepared.smallBackupId}/content`)
    const bare = await getLoop(koaTarget, knobs, '/download', false)
    yield {
      ...req('download 4 KiB', load),
      ceiling: { kind: 'bare Koa', value: bare.rps, unit: 'req/s' },
      note: koaNote(bare),
      target: null,
    }
    const url = `${server.base}/api/v1/backups/${prepared.largeBackupId}/content`
    const large = await downloadLoop(url, prepared.token, 2, Math.max(knobs.durationS, 3), [server.pid])
    yield {
      scenario: 'download 100 MiB (2 streams)',
      rate: large.bytesPerSecond,
      rateUnit: 'B/s',
      load: large,
      ceiling: { kind: 'file write', value: c.disk.large.writeBytesPerS, unit: 'B/s' },
      target: { text: '≥ 60% of file write, RSS flat (+64 MiB)', minRatio: 0.6, maxRssGrowthBytes: 64 * MiB },
    }
  }
  if (want('login')) {
    const count = knobs.quick ? 300 : Math.max(1000, 300 * knobs.durationS)
    const r = await loginPairs(target, knobs, prepared.loginAccounts, count)
    const merged = {
      ...r.finish,
      requests: r.logins,
      seconds: r.seconds,
      rps: r.loginsPerS,
      errors: r.start.errors + r.finish.errors,
      latencyMs: r.start.latencyMs,
    }
    yield {
      scenario: `login (${count} start+finish pairs; latency of starts)`,
      rate: r.loginsPerS,
      rateUnit: 'logins/s',
      load: merged,
      ceiling: null,
      target: { text: '≥ 400 logins/s', minRate: 400, zeroErrors: true },
    }
    // The row above takes its CPU from the finish phase (r.finish's server usage) over both phases' time, so its
    // cpu µs/req is roughly CPU per whole login; this row is the start phase alone (CPU per start).
    yield {
      scenario: 'login start (latency of starts)',
      rate: r.start.rps,
      rateUnit: 'req/s',
      load: r.start,
      ceiling: null,
      target: null,
    }
    yield {
      scenario: 'login finish (latency of finishes)',
      rate: r.finish.rps,
      rateUnit: 'req/s',
      load: r.finish,
      ceiling: null,
      target: null,
    }
  }
  yield* mixedSections(c, want)
  yield* opsSections(c, want)
}

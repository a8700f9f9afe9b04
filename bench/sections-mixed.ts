/**
 * The mixed workload on a fresh compiled server: 70% reads, 25% uploads and 5% logins at 1,250 req/s offered,
 * reads and uploads spread over BENCH_MIXED_ACCOUNTS accounts (100), each reading and writing only its own
 * backups, as a service's users do. (Every upload to one account would measure that account's lock, which
 * serialises its commits by design: the upload section's one-account row measures that, beside pgbench.)
 */
import type { Context } from './context'
import type { Row } from './report'
import { getLoop, mixed } from './scenarios'
import { buildOnce, startServer } from './server'
import { prepareTenants } from './tenants'

const rate = 1250

export async function* mixedSections(c: Context, want: (name: string) => boolean): AsyncGenerator<Row> {
  if (!want('mixed')) return
  const { knobs, prepared } = c
  const accounts = Number(process.env.BENCH_MIXED_ACCOUNTS ?? 100)
  const uploadsEach = Math.ceil((rate * 0.3 * knobs.durationS) / accounts) + 5
  const began = Date.now()
  const tenants = await prepareTenants(c.server.base, {
    accounts,
    backupsEach: Number(process.env.BENCH_MIXED_BACKUPS ?? (knobs.quick ? 3 : 10)),
    uploadsEach,
  })
  console.log(`  (mixed: ${tenants.length} accounts set up in ${((Date.now() - began) / 1000).toFixed(0)} s)`)
  // A fresh process of the compiled server, as the image runs it, warmed for two seconds: the RSS target is for
  // a production server under this load, not for one that already carried every scenario above (V8 keeps the
  // heap it grew for the 100 MiB transfers), nor for tsx's in-process compiler (tens of MiB more).
  buildOnce()
  const fresh = await startServer({
    ...c.serverOptions,
    migrateOnStart: false,
    name: 'zkeb-mixed',
    entry: 'dist',
  })
  c.cleanups.push(fresh.stop)
  const target = { url: fresh.base, pids: [fresh.pid] }
  await getLoop({ ...target, token: prepared.token }, { ...knobs, durationS: 2 }, '/api/v1/backups?limit=50')
  const load = await mixed(target, { ...knobs, rate }, tenants, prepared.loginAccounts)
  await fresh.stop()
  yield {
    scenario: `mixed 70/25/5 over ${tenants.length} accounts at 1,250 req/s (compiled server)`,
    rate: load.rps,
    rateUnit: 'req/s',
    load,
    ceiling: { kind: 'offered', value: rate, unit: 'req/s' },
    target: {
      text: 'p95 ≤ 20 ms, 0 errors, RSS < 256 MB',
      maxP95Ms: 20,
      zeroErrors: true,
      maxRssBytes: 256e6,
    },
  }
}

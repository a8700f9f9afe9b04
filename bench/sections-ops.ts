/**
 * Scale and start-up: the same list and upload loads against one instance and then against two instances on the
 * same PostgreSQL and Redis (connections split between the two ports), with the machine's total CPU use; and
 * cold start to ready (/api/health 200) of a new process on the existing database.
 */
import { readFileSync } from 'node:fs'
import type { Context } from './context'
import { buildOnce, serverEntry, startServer } from './server'
import { getLoop, uploadLoop, uploadPool, type Target } from './scenarios'
import type { Row } from './report'
import { quantile } from './stats'

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
const machineTicks = (): { busy: number; total: number } => {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return { busy: total - idle, total }
}

const withMachineCpu = async <A>(
  run: () => Promise<A>,
): Promise<{ result: A; machineBusyPercent: number }> => {
  const before = machineTicks()
  const result = await run()
  const after = machineTicks()
  return { result, machineBusyPercent: ((after.busy - before.busy) / (after.total - before.total)) * 100 }
}

export async function* opsSections(c: Context, want: (name: string) => boolean): AsyncGenerator<Row> {
  const { knobs, server, prepared } = c
  if (want('scale')) {
    const second = await startServer({ ...c.serverOptions, migrateOnStart: false, name: 'zkeb-2' })
    c.cleanups.push(second.stop)
    const one: Target = { url: server.base, pids: [server.pid], token: prepared.token }
    const two: Target = {
      url: [server.base, second.base],
      pids: [server.pid, second.pid],
      token: prepared.token,
    }
    const list = '/api/v1/backups?limit=50'
    const pool = uploadPool(prepared.device, 4096, 4000 * knobs.durationS)
    for (const [name, run] of [
      ['list of 50', (t: Target) => getLoop(t, knobs, list)],
      ['upload 4 KiB', (t: Target) => uploadLoop(t, knobs, pool)],
    ] as const) {
      const single = await withMachineCpu(() => run(one))
      const double = await withMachineCpu(() => run(two))
      const note = (m: { machineBusyPercent: number }) =>
        `machine CPU ${m.machineBusyPercent.toFixed(0)}% busy`
      yield {
        scenario: `scale: ${name}, 1 instance`,
        rate: single.result.rps,
        rateUnit: 'req/s',
        load: single.result,
        ceiling: null,
        target: null,
        note: note(single),
      }
      yield {
        scenario: `scale: ${name}, 2 instances`,
        rate: double.result.rps,
        rateUnit: 'req/s',
        load: double.result,
        ceiling: { kind: '1 instance', value: single.result.rps, unit: 'req/s' },
        target: null,
        note: note(double),
      }
    }
    await second.stop()
  }
  if (want('cold')) {
    await server.stop()
    // The image runs the compiled server (Dockerfile: node dist/…), so the target is judged on it; the tsx
    // figure (what `npm start` runs, compiling each module as it loads) is shown beside it.
    if (serverEntry === 'tsx') yield await coldStart(c, 'tsx', null)
    buildOnce()
    yield await coldStart(c, 'dist', { text: '≤ 2,000 ms', maxValue: 2000 })
  }
}

/** Median time to ready of new processes on the existing database (three, one when quick). */
const coldStart = async (c: Context, entry: 'tsx' | 'dist', target: Row['target']): Promise<Row> => {
  const times: Array<number> = []
  for (let i = 0; i < (c.knobs.quick ? 1 : 3); i++) {
    const again = await startServer({ ...c.serverOptions, name: `zkeb-cold-${entry}-${i}`, entry })
    times.push(again.readyMs)
    await again.stop()
  }
  const median = quantile(
    [...times].sort((a, b) => a - b),
    0.5,
  )
  return {
    scenario: `cold start to ready, existing database, ${entry} (median of ${times.length})`,
    rate: median,
    rateUnit: 'ms',
    load: null,
    ceiling: null,
    target,
    note: `runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms`,
  }
}

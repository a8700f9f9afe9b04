/**
 * One row per scenario: what was measured, the ceiling measured in the same run, the ratio, the target
 * (bench/RESULTS.md) and whether it is met. Pure, so test/bench checks the arithmetic and the verdicts.
 */
import type { LoadResult } from './load'
import { formatBytes, formatNumber, formatRatio, ratio, table } from './stats'

export type Ceiling = Readonly<{ kind: string; value: number; unit: string }>

/** A target: the ratio it needs, and/or limits on latency, errors and memory. */
export type Target = Readonly<{
  text: string
  minRatio?: number
  maxP99Ms?: number
  maxP95Ms?: number
  zeroErrors?: boolean
  maxRssBytes?: number
  /** For rates with no ceiling (logins/s): the least rate. */
  minRate?: number
  /** For durations (cold start, in the row's unit): the most allowed. */
  maxValue?: number
  /** Large transfers: how far resident memory may rise above where it started. */
  maxRssGrowthBytes?: number
}>

export type Row = Readonly<{
  scenario: string
  /** The figure compared with the ceiling (requests/s, bytes/s, logins/s). */
  rate: number
  rateUnit: string
  load: LoadResult | null
  ceiling: Ceiling | null
  target: Target | null
  /** Anything the figures need beside them (machine CPU, individual runs). */
  note?: string
}>

export type Verdict = Readonly<{ ratio: number | null; met: boolean | null; misses: ReadonlyArray<string> }>

export const verdictOf = (row: Row): Verdict => {
  const r = ratio(row.rate, row.ceiling?.value)
  const t = row.target
  if (t === null) return { ratio: r, met: null, misses: [] }
  const misses: Array<string> = []
  const lat = row.load?.latencyMs
  if (t.minRatio !== undefined && (r === null || r < t.minRatio))
    misses.push(`ratio ${formatRatio(r)} < ${formatRatio(t.minRatio)}`)
  if (t.maxP99Ms !== undefined && !(lat !== undefined && lat.p99 <= t.maxP99Ms))
    misses.push(`p99 ${formatNumber(lat?.p99, 1)} ms > ${t.maxP99Ms} ms`)
  if (t.maxP95Ms !== undefined && !(lat !== undefined && lat.p95 <= t.maxP95Ms))
    misses.push(`p95 ${formatNumber(lat?.p95, 1)} ms > ${t.maxP95Ms} ms`)
  if (t.zeroErrors === true && (row.load === null || row.load.errors > 0))
    misses.push(`${row.load?.errors ?? '?'} errors`)
  if (t.maxRssBytes !== undefined && !(row.load !== null && row.load.server.peakRssBytes < t.maxRssBytes))
    misses.push(`RSS ${formatBytes(row.load?.server.peakRssBytes)} ≥ ${formatBytes(t.maxRssBytes)}`)
  if (t.minRate !== undefined && !(row.rate >= t.minRate))
    misses.push(`${formatNumber(row.rate)} < ${t.minRate} ${row.rateUnit}`)
  if (t.maxValue !== undefined && !(row.rate <= t.maxValue))
    misses.push(`${formatNumber(row.rate)} > ${t.maxValue} ${row.rateUnit}`)
  const growth = row.load === null ? NaN : row.load.server.peakRssBytes - row.load.server.startRssBytes
  if (t.maxRssGrowthBytes !== undefined && !(growth <= t.maxRssGrowthBytes))
    misses.push(`RSS rose ${formatBytes(growth)} > ${formatBytes(t.maxRssGrowthBytes)}`)
  return { ratio: r, met: misses.length === 0, misses }
}

/**
 * Server CPU time per request. On a shared machine the rate depends on what else runs; the CPU a request costs
 * the server much less so, which makes it the steadier figure to compare before and after a change.
 */
export const cpuMicrosPerRequest = (l: LoadResult): number | null =>
  l.rps > 0 ? ((l.server.cpuPercent / 100) * 1e6) / l.rps : null

const rateText = (rate: number, unit: string): string =>
  unit === 'B/s' ? `${formatNumber(rate / 1024 ** 2, 1)} MiB/s` : `${formatNumber(rate)} ${unit}`

export const reportTable = (rows: ReadonlyArray<Row>): string =>
  table(
    [
      'scenario',
      'rate',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'errors',
      'cpu %',
      'cpu µs/req',
      'peak rss',
      'ceiling',
      'ratio',
      'target',
      'met',
    ],
    rows.map((row) => {
      const v = verdictOf(row)
      const l = row.load
      return [
        row.scenario,
        rateText(row.rate, row.rateUnit),
        formatNumber(l?.latencyMs.p50, 1),
        formatNumber(l?.latencyMs.p95, 1),
        formatNumber(l?.latencyMs.p99, 1),
        formatNumber(l?.errors),
        formatNumber(l?.server.cpuPercent),
        formatNumber(l === null ? null : cpuMicrosPerRequest(l)),
        formatBytes(l?.server.peakRssBytes),
        row.ceiling === null ? '—' : `${row.ceiling.kind} ${rateText(row.ceiling.value, row.ceiling.unit)}`,
        formatRatio(v.ratio),
        row.target?.text ?? '—',
        v.met === null ? '—' : v.met ? 'met' : `MISSED (${v.misses.join('; ')})`,
      ]
    }),
  )

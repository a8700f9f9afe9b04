/** The bench's pure figures: percentiles, ratios, verdicts against the targets, the table. */
import { expect } from 'chai'
import { cpuMicrosPerRequest, reportTable, verdictOf, type Row } from '../../bench/report'
import { formatBytes, formatRatio, latencyOf, quantile, ratio } from '../../bench/stats'
import type { LoadResult } from '../../bench/load'

const load = (over: Partial<LoadResult> = {}): LoadResult => ({
  requests: 1000,
  seconds: 10,
  rps: 100,
  latencyMs: { p50: 5, p95: 15, p99: 22, max: 40 },
  errors: 0,
  non2xx: 0,
  bytesPerSecond: 0,
  server: {
    cpuPercent: 50,
    peakRssBytes: 200 * 1024 ** 2,
    startRssBytes: 150 * 1024 ** 2,
    endRssBytes: 160 * 1024 ** 2,
  },
  ...over,
})

const row = (over: Partial<Row> = {}): Row => ({
  scenario: 'list',
  rate: 100,
  rateUnit: 'req/s',
  load: load(),
  ceiling: { kind: 'pgbench', value: 160, unit: 'tps' },
  target: { text: '≥ 50% of pgbench, p99 ≤ 25 ms', minRatio: 0.5, maxP99Ms: 25 },
  ...over,
})

describe('bench figures', () => {
  it('takes nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(quantile(hundred, 0.5)).to.equal(50)
    expect(quantile(hundred, 0.95)).to.equal(95)
    expect(quantile(hundred, 0.99)).to.equal(99)
    expect(quantile([7], 0.99)).to.equal(7)
    expect(quantile([], 0.5)).to.be.NaN
    expect(latencyOf([3, 1, 2, 10])).to.deep.equal({ p50: 2, p95: 10, p99: 10, max: 10 })
  })

  it('divides by the ceiling only when there is one', () => {
    expect(ratio(50, 200)).to.equal(0.25)
    expect(ratio(50, 0)).to.equal(null)
    expect(ratio(50, null)).to.equal(null)
    expect(formatRatio(0.625)).to.equal('63%')
    expect(formatRatio(null)).to.equal('—')
    expect(formatBytes(3 * 1024 ** 2)).to.equal('3 MiB')
    expect(cpuMicrosPerRequest(load())).to.equal(5000)
  })

  it('meets a target only when every part of it holds, and names each miss', () => {
    expect(verdictOf(row())).to.deep.equal({ ratio: 0.625, met: true, misses: [] })
    const slow = verdictOf(
      row({ rate: 40, load: load({ latencyMs: { p50: 5, p95: 30, p99: 60, max: 90 } }) }),
    )
    expect(slow.met).to.equal(false)
    expect(slow.misses).to.deep.equal(['ratio 25% < 50%', 'p99 60.0 ms > 25 ms'])
    const mixed = row({
      ceiling: null,
      target: {
        text: 'p95 ≤ 20 ms, 0 errors, RSS < 256 MB',
        maxP95Ms: 20,
        zeroErrors: true,
        maxRssBytes: 256e6,
      },
    })
    expect(verdictOf(mixed).met).to.equal(true)
    expect(verdictOf({ ...mixed, load: load({ errors: 3 }) }).misses).to.deep.equal(['3 errors'])
    const cold = row({
      rate: 2500,
      rateUnit: 'ms',
      load: null,
      ceiling: null,
      target: { text: '≤ 2,000 ms', maxValue: 2000 },
    })
    expect(verdictOf(cold).misses).to.deep.equal(['2500 > 2000 ms'])
    const flat = row({ target: { text: 'RSS flat', maxRssGrowthBytes: 64 * 1024 ** 2 } })
    expect(verdictOf(flat).met).to.equal(true)
    expect(
      verdictOf({ ...flat, target: { text: 'RSS flat', maxRssGrowthBytes: 10 * 1024 ** 2 } }).misses,
    ).to.deep.equal(['RSS rose 50 MiB > 10 MiB'])
    expect(verdictOf(row({ target: null })).met).to.equal(null)
  })

  it('prints one aligned line per row with its ratio and verdict', () => {
    const text = reportTable([row(), row({ scenario: 'upload', rate: 10 })]).split('\n')
    expect(text).to.have.length(4)
    expect(text[0]).to.match(/^scenario\s+rate\s+p50 ms/)
    expect(text[2]).to.include('63%').and.to.include('met')
    expect(text[3]).to.include('MISSED (ratio 6% < 50%)')
  })
})

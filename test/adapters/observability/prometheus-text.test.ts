import { expect } from 'chai'
import {
  histogramQuantile,
  parsePrometheusText,
  total,
} from '../../../adapters/observability/prometheus-text'
import { prometheusMetrics } from '../../../adapters/observability/prometheus-metrics'
import { formatStats } from '../../../adapters/observability/stats-cli'

describe('reading /metrics as text (npm run stats) @memory', () => {
  it('estimates quantiles from buckets as histogram_quantile does', () => {
    const samples = parsePrometheusText(
      [
        '# TYPE h histogram',
        'h_bucket{route="/a",le="0.1"} 50',
        'h_bucket{route="/a",le="0.2"} 50',
        'h_bucket{route="/a",le="0.3"} 100',
        'h_bucket{route="/a",le="+Inf"} 100',
      ].join('\n'),
    )
    expect(histogramQuantile(0.5, samples, 'h')).to.be.closeTo(0.1, 1e-9)
    expect(histogramQuantile(0.95, samples, 'h')).to.be.closeTo(0.29, 1e-9)
    expect(histogramQuantile(0.5, [], 'h')).to.be.NaN
    expect(total(samples, 'h_bucket', { le: '+Inf' })).to.equal(100)
  })

  it('reports the key figures from two scrapes of a real registry', async () => {
    const prometheus = prometheusMetrics()
    const before = parsePrometheusText((await prometheus.render()).text)
    const m = prometheus.metrics
    for (let i = 0; i < 10; i++)
      m.request({
        route: '/api/v1/backups',
        method: 'GET',
        status: i === 0 ? 500 : 200,
        durationSeconds: 0.02,
        bytesIn: 0,
        bytesOut: 100,
      })
    m.login('success')
    m.login('failure')
    m.rateLimited('/api/v1/sessions/start')
    m.cacheLookup(true)
    m.cacheLookup(false)
    m.dbPool({ active: 2, idle: 3, waiting: 1, max: 10 })
    m.storage({
      accounts: 4,
      quotaBytes: 4 * 1024 ** 3,
      usedBytes: 1024 ** 3,
      accountsNearQuota: 1,
      trashBackups: 2,
      trashBytes: 2048,
      purgeBacklogBackups: 1,
      orphanBlobs: 3,
      orphanBlobBytes: 3072,
    })
    const report = formatStats(before, parsePrometheusText((await prometheus.render()).text), 5)
    expect(report).to.match(/requests\s+2\.00\/s over 5 s \(10 since start\)/)
    expect(report).to.match(/errors 4xx \/ 5xx\s+0\.00 % \/ 10\.00 %/)
    expect(report).to.match(/db pool active\/idle\/waiting\s+2 \/ 3 \/ 1 of 10/)
    expect(report).to.match(/cache hit rate\s+50\.00 %/)
    expect(report).to.match(/logins ok \/ failed\s+1 \/ 1 since start/)
    expect(report).to.match(/quota used\s+1\.00 GiB of 4\.00 GiB \(4 accounts, 1 at 90%\+\)/)
    expect(report).to.match(/gc backlog\s+1 past retention, 3 orphan blobs/)
    expect(report).to.match(/latency p50\/p95\/p99\s+\d+\.\d ms/)
  })
})

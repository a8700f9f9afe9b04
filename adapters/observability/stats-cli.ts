/**
 * `npm run stats`: the dashboard's key figures as text, for people without Grafana. Reads GET /metrics
 * (METRICS_URL, default http://127.0.0.1:$METRICS_PORT/metrics; METRICS_TOKEN is sent as a bearer token when
 * set, for /metrics on the API port), twice, `--interval` seconds apart, so rates cover that window;
 * latencies are since the process started.
 */
import { parseArgs } from 'node:util'
import { histogramQuantile, parsePrometheusText, type Sample, total } from './prometheus-text'

type Scrape = ReadonlyArray<Sample>

const scrape = async (url: string, token: string | undefined): Promise<Scrape> => {
  const response = await fetch(
    url,
    token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } },
  )
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`)
  return parsePrometheusText(await response.text())
}

const ms = (seconds: number): string => (Number.isNaN(seconds) ? '–' : `${(seconds * 1000).toFixed(1)} ms`)
const pct = (ratio: number): string => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(2)} %` : '–')
const bytes = (n: number): string =>
  n >= 1024 ** 3
    ? `${(n / 1024 ** 3).toFixed(2)} GiB`
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(1)} MiB`
      : `${(n / 1024).toFixed(1)} KiB`
const storage = (s: Scrape, figure: string): number => total(s, 'zkeb_storage', { figure })

/** The report: `before` and `after` are two scrapes `seconds` apart. */
export const formatStats = (before: Scrape, after: Scrape, seconds: number): string => {
  const delta = (name: string, labels: Record<string, string> = {}) =>
    total(after, name, labels) - total(before, name, labels)
  const rate = (name: string, labels: Record<string, string> = {}) => delta(name, labels) / seconds
  const requests = delta('zkeb_http_requests_total')
  const quantiles = (name: string) =>
    [0.5, 0.95, 0.99].map((q) => ms(histogramQuantile(q, after, name))).join(' / ')
  const lookups = delta('zkeb_cache_lookups_total')
  const rows: ReadonlyArray<[string, string]> = [
    [
      'requests',
      `${rate('zkeb_http_requests_total').toFixed(2)}/s over ${seconds} s (${total(after, 'zkeb_http_requests_total')} since start)`,
    ],
    ['latency p50/p95/p99', quantiles('zkeb_http_request_duration_seconds')],
    [
      'errors 4xx / 5xx',
      `${pct(delta('zkeb_http_requests_total', { status_class: '4xx' }) / requests)} / ${pct(delta('zkeb_http_requests_total', { status_class: '5xx' }) / requests)}`,
    ],
    [
      'db pool active/idle/waiting',
      ['active', 'idle', 'waiting']
        .map((state) => total(after, 'zkeb_db_pool_connections', { state }))
        .join(' / ') + ` of ${total(after, 'zkeb_db_pool_max')}`,
    ],
    ['db query p50/p95/p99', quantiles('zkeb_db_query_duration_seconds')],
    ['redis p50/p95/p99', quantiles('zkeb_redis_command_duration_seconds')],
    [
      'cache hit rate',
      pct(lookups === 0 ? NaN : delta('zkeb_cache_lookups_total', { result: 'hit' }) / lookups),
    ],
    ['cpu', pct(rate('process_cpu_seconds_total') / total(after, 'zkeb_cpu_cores'))],
    [
      'memory',
      `${bytes(total(after, 'process_resident_memory_bytes'))} (${pct(total(after, 'process_resident_memory_bytes') / total(after, 'zkeb_memory_limit_bytes'))} of limit)`,
    ],
    ['event-loop lag p99', ms(total(after, 'nodejs_eventloop_lag_p99_seconds'))],
    [
      'upload / download',
      `${bytes(rate('zkeb_http_request_bytes_total'))}/s / ${bytes(rate('zkeb_http_response_bytes_total'))}/s`,
    ],
    [
      'logins ok / failed',
      `${total(after, 'zkeb_logins_total', { outcome: 'success' })} / ${total(after, 'zkeb_logins_total', { outcome: 'failure' })} since start`,
    ],
    ['rate-limited', `${total(after, 'zkeb_rate_limit_rejections_total')} since start`],
    [
      'quota used',
      `${bytes(storage(after, 'used_bytes'))} of ${bytes(storage(after, 'quota_bytes'))} (${storage(after, 'accounts')} accounts, ${storage(after, 'accounts_near_quota')} at 90%+)`,
    ],
    ['trash', `${storage(after, 'trash_backups')} backups, ${bytes(storage(after, 'trash_bytes'))}`],
    [
      'gc backlog',
      `${storage(after, 'purge_backlog_backups')} past retention, ${storage(after, 'orphan_blobs')} orphan blobs (${bytes(storage(after, 'orphan_blob_bytes'))})`,
    ],
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n'
}

const main = async (): Promise<void> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { interval: { type: 'string', default: '5' } },
  })
  const url =
    positionals[0] ??
    process.env['METRICS_URL'] ??
    `http://127.0.0.1:${process.env['METRICS_PORT'] ?? '9464'}/metrics`
  const seconds = Math.max(1, Number(values.interval) || 5)
  const token = process.env['METRICS_TOKEN'] || undefined
  const before = await scrape(url, token)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  process.stdout.write(formatStats(before, await scrape(url, token), seconds))
}

if (require.main === module)
  main().catch((e: unknown) => {
    process.stderr.write(`zkeb stats: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })

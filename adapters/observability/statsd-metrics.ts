/**
 * The StatsD exporter of the metrics port (hot-shots over UDP), on when STATSD_HOST is set. Every stat is
 * prefixed `zkeb.api.`; dimensions travel as DogStatsD tags (`|#route:…`), which Datadog, Telegraf
 * (datadog_extensions) and statsd_exporter read. UDP is fire-and-forget: a missing collector costs nothing.
 */
import { StatsD } from 'hot-shots'
import type { Metrics } from '../../application/ports/metrics'
import { statusClass } from './metrics'

export type StatsdSettings = Readonly<{
  host: string
  port: number
  /** Send errors (DNS, socket): reported, never thrown into a request. */
  onError?: (error: Error) => void
}>

export const statsdPrefix = 'zkeb.api.'

export type StatsdMetrics = Readonly<{ metrics: Metrics; close: () => Promise<void> }>

export const statsdMetrics = (settings: StatsdSettings): StatsdMetrics => {
  const client = new StatsD({
    host: settings.host,
    port: settings.port,
    prefix: statsdPrefix,
    protocol: 'udp',
    // Small batches: one datagram per ~1 KiB or 1 s instead of one per figure.
    maxBufferSize: 1024,
    bufferFlushInterval: 1000,
    errorHandler: settings.onError ?? (() => undefined),
  })
  const ms = (seconds: number): number => Math.round(seconds * 1e6) / 1e3
  const metrics: Metrics = {
    request: (r) => {
      const tags = { route: r.route, method: r.method, status_class: statusClass(r.status) }
      client.increment('http.requests', 1, tags)
      client.timing('http.request_duration', ms(r.durationSeconds), tags)
      if (r.status >= 400) client.increment('http.errors', 1, { ...tags, code: r.errorCode ?? 'none' })
      if (r.bytesIn > 0) client.increment('http.request_bytes', r.bytesIn, { route: r.route })
      if (r.bytesOut > 0) client.increment('http.response_bytes', r.bytesOut, { route: r.route })
    },
    login: (outcome) => client.increment('logins', 1, { outcome }),
    rateLimited: (route) => client.increment('rate_limit.rejections', 1, { route }),
    dbQuery: (seconds, ok) =>
      client.timing('db.query_duration', ms(seconds), { outcome: ok ? 'ok' : 'error' }),
    dbPool: (s) => {
      client.gauge('db.pool.active', s.active)
      client.gauge('db.pool.idle', s.idle)
      client.gauge('db.pool.waiting', s.waiting)
      client.gauge('db.pool.max', s.max)
    },
    redisCommand: (command, seconds, ok) =>
      client.timing('redis.command_duration', ms(seconds), { command, outcome: ok ? 'ok' : 'error' }),
    cacheLookup: (hit) => client.increment(hit ? 'cache.hits' : 'cache.misses'),
    storage: (s) => {
      for (const [figure, value] of Object.entries(s)) client.gauge(`storage.${figure}`, value)
    },
    process: (s) => {
      client.gauge('process.cpu_ratio', s.cpuRatio)
      client.gauge('process.resident_bytes', s.residentBytes)
      client.gauge('process.heap_used_bytes', s.heapUsedBytes)
      client.gauge('process.event_loop_lag_p99', ms(s.eventLoopLagP99Seconds))
    },
  }
  return {
    metrics,
    close: () => new Promise((resolve) => client.close(() => resolve())),
  }
}

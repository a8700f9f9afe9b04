/**
 * The Prometheus exporter of the metrics port (prom-client), rendered as text by GET /metrics. One registry
 * per instance (not prom-client's global), so tests and several apps in a process never mix figures.
 * Names follow Prometheus conventions (`_seconds`, `_bytes`, `_total`); ops/alerts.yml and
 * ops/grafana-dashboard.json read exactly these.
 */
import os from 'node:os'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Metrics } from '../../application/ports/metrics'
import { statusClass } from './metrics'

/** HTTP latency buckets around the 200 ms p95 target. */
const httpBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30]
/** Query buckets around the 50 ms p95 target. */
const queryBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
/** Redis buckets around the 10 ms p95 target. */
const redisBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

export type PrometheusMetrics = Readonly<{
  metrics: Metrics
  registry: Registry
  /** The exposition text and its content type. */
  render: () => Promise<{ contentType: string; text: string }>
}>

/** The container's memory limit (cgroup), or the machine's memory when there is none. */
const memoryLimitBytes = (): number => {
  const constrained = process.constrainedMemory()
  return constrained > 0 && constrained < Number.MAX_SAFE_INTEGER ? constrained : os.totalmem()
}

export const prometheusMetrics = (): PrometheusMetrics => {
  const registry = new Registry()
  const registers = [registry]
  // process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_* and the rest.
  collectDefaultMetrics({ register: registry })
  new Gauge({
    name: 'zkeb_memory_limit_bytes',
    help: 'Memory the process may use (cgroup limit).',
    registers,
  }).set(memoryLimitBytes())
  new Gauge({ name: 'zkeb_cpu_cores', help: 'CPUs available to the process.', registers }).set(
    os.availableParallelism(),
  )

  const requests = new Counter({
    name: 'zkeb_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status class.',
    labelNames: ['route', 'method', 'status_class'],
    registers,
  })
  const latency = new Histogram({
    name: 'zkeb_http_request_duration_seconds',
    help: 'Time from request to the last byte of the answer, by route template.',
    labelNames: ['route', 'method'],
    buckets: httpBuckets,
    registers,
  })
  const errors = new Counter({
    name: 'zkeb_http_errors_total',
    help: 'Error answers by status class (4xx, 5xx) and api-v1 error code.',
    labelNames: ['route', 'status_class', 'code'],
    registers,
  })
  const bytesIn = new Counter({
    name: 'zkeb_http_request_bytes_total',
    help: 'Request body bytes received (uploads), by route template.',
    labelNames: ['route'],
    registers,
  })
  const bytesOut = new Counter({
    name: 'zkeb_http_response_bytes_total',
    help: 'Response body bytes sent (downloads), by route template.',
    labelNames: ['route'],
    registers,
  })
  const logins = new Counter({
    name: 'zkeb_logins_total',
    help: 'Finished logins by outcome.',
    labelNames: ['outcome'],
    registers,
  })
  const rateLimited = new Counter({
    name: 'zkeb_rate_limit_rejections_total',
    help: 'Requests refused with 429, by route template.',
    labelNames: ['route'],
    registers,
  })
  const queries = new Histogram({
    name: 'zkeb_db_query_duration_seconds',
    help: 'PostgreSQL query time (application pool).',
    labelNames: ['outcome'],
    buckets: queryBuckets,
    registers,
  })
  const pool = new Gauge({
    name: 'zkeb_db_pool_connections',
    help: 'Application pool connections by state (active, idle) and requests waiting for one.',
    labelNames: ['state'],
    registers,
  })
  const poolMax = new Gauge({ name: 'zkeb_db_pool_max', help: 'Application pool size limit.', registers })
  const redis = new Histogram({
    name: 'zkeb_redis_command_duration_seconds',
    help: 'Redis command latency by command.',
    labelNames: ['command', 'outcome'],
    buckets: redisBuckets,
    registers,
  })
  const lookups = new Counter({
    name: 'zkeb_cache_lookups_total',
    help: 'Cache reads by result (hit, miss).',
    labelNames: ['result'],
    registers,
  })
  const storage = new Gauge({
    name: 'zkeb_storage',
    help: 'Storage totals across accounts (quota usage, trash, garbage-collection backlog).',
    labelNames: ['figure'],
    registers,
  })

  const metrics: Metrics = {
    request: (r) => {
      const cls = statusClass(r.status)
      requests.inc({ route: r.route, method: r.method, status_class: cls })
      latency.observe({ route: r.route, method: r.method }, r.durationSeconds)
      if (r.status >= 400) errors.inc({ route: r.route, status_class: cls, code: r.errorCode ?? 'none' })
      bytesIn.inc({ route: r.route }, r.bytesIn)
      bytesOut.inc({ route: r.route }, r.bytesOut)
    },
    login: (outcome) => logins.inc({ outcome }),
    rateLimited: (route) => rateLimited.inc({ route }),
    dbQuery: (seconds, ok) => queries.observe({ outcome: ok ? 'ok' : 'error' }, seconds),
    dbPool: (s) => {
      pool.set({ state: 'active' }, s.active)
      pool.set({ state: 'idle' }, s.idle)
      pool.set({ state: 'waiting' }, s.waiting)
      poolMax.set(s.max)
    },
    redisCommand: (command, seconds, ok) => redis.observe({ command, outcome: ok ? 'ok' : 'error' }, seconds),
    cacheLookup: (hit) => lookups.inc({ result: hit ? 'hit' : 'miss' }),
    storage: (s) => {
      for (const [figure, value] of Object.entries(s)) storage.set({ figure: snakeCase(figure) }, value)
    },
    // Already collected by collectDefaultMetrics.
    process: () => undefined,
  }
  return {
    metrics,
    registry,
    render: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
  }
}

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * Knows how to combine the metrics exporters (prometheus-metrics.ts, statsd-metrics.ts) behind the Metrics port
 * (application/ports/metrics.ts), and the status classes they both label requests with.
 */
import type { Metrics } from '../../application/ports/metrics'

/** Records every figure in each of `exporters` (Prometheus, StatsD, or both). */
export const fanOutMetrics = (exporters: ReadonlyArray<Metrics>): Metrics => {
  if (exporters.length === 1 && exporters[0] !== undefined) return exporters[0]
  const each =
    <K extends keyof Metrics>(key: K) =>
    (...args: Parameters<Metrics[K]>): void => {
      for (const exporter of exporters) (exporter[key] as (...a: Parameters<Metrics[K]>) => void)(...args)
    }
  return {
    request: each('request'),
    login: each('login'),
    rateLimited: each('rateLimited'),
    dbQuery: each('dbQuery'),
    dbPool: each('dbPool'),
    redisCommand: each('redisCommand'),
    cacheLookup: each('cacheLookup'),
    storage: each('storage'),
    process: each('process'),
  }
}

/** `2xx`…`5xx`: the error-rate class of a status. */
export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`

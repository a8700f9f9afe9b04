/**
 * Wires observability from the Config: the metrics exporters (Prometheus when METRICS_PORT or METRICS_TOKEN
 * is set, StatsD when STATSD_HOST is), the gauge samplers over the runtime's pool and storage totals, the
 * METRICS_PORT listener, and what the HTTP app reports to. With none of them set, metrics cost nothing.
 * Tracing and Sentry start earlier, in instrument.ts, and are closed here.
 */
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import { purgeCutoff } from '../../domain/backup'
import { describeCause } from '../http/respond'
import type { HttpObservability } from '../http/observability'
import type { RunningHttpServer } from '../http/start-http-server'
import { accountHash } from '../observability/account-hash'
import { startMetricsServer } from '../http/metrics-server'
import { type Metrics, noMetrics } from '../../application/ports/metrics'
import { fanOutMetrics } from '../observability/metrics'
import { prometheusMetrics } from '../observability/prometheus-metrics'
import {
  defaultSamplerTimings,
  type GaugeSources,
  type Samplers,
  startSamplers,
} from '../observability/samplers'
import { statsdMetrics } from '../observability/statsd-metrics'
import { samplePool } from '../persistence/knex/instrument-knex'
import { knexStorageTotals } from '../persistence/knex/knex-storage-totals'
import type { Config } from './config'
import type { EarlyObservability } from './instrument'

/** A blob without a backup younger than this may be an upload in flight, not garbage. */
export const orphanGraceMs = 60 * 60 * 1000

/** The gauges' sources over the application pool. */
export const gaugeSources = (appKnex: Knex, config: Pick<Config, 'trashRetentionDays'>): GaugeSources => ({
  samplePool: () => samplePool(appKnex),
  readStorage: () => {
    const now = new Date()
    return knexStorageTotals(appKnex)({
      purgeCutoff: purgeCutoff(now, config.trashRetentionDays),
      orphanBefore: new Date(now.getTime() - orphanGraceMs),
    })
  },
})

export type Observability = Readonly<{
  /** For the runtime's pool and Redis instrumentation. */
  metrics: Metrics
  /** Once the runtime is up: starts the samplers and METRICS_PORT; returns what the HTTP app reports to. */
  attach: (
    runtime: Readonly<{ gauges: GaugeSources; logHashKey: string | Uint8Array }>,
  ) => Promise<HttpObservability>
  /** The port METRICS_PORT bound (useful with 0), once attached. */
  metricsPort: () => number | undefined
  /** Stops samplers and listeners, flushes StatsD, Sentry and the last spans. Idempotent. */
  close: () => Promise<void>
}>

export const createObservability = (
  config: Config,
  logger: Pick<Logger, 'info' | 'warn'>,
  early: EarlyObservability = {},
): Observability => {
  const { metricsPort, metricsToken, statsd: statsdAt } = config.observability
  const prometheus = metricsPort !== null || metricsToken !== null ? prometheusMetrics() : undefined
  const statsd =
    statsdAt === null
      ? undefined
      : statsdMetrics({
          ...statsdAt,
          onError: (e) => logger.warn({ err: describeCause(e) }, 'StatsD send failed'),
        })
  const exporters = [prometheus?.metrics, statsd?.metrics].filter((m): m is Metrics => m !== undefined)
  const metrics = exporters.length === 0 ? noMetrics : fanOutMetrics(exporters)
  let samplers: Samplers | undefined
  let server: RunningHttpServer | undefined
  let closing: Promise<void> | undefined

  const attach = async (runtime: Parameters<Observability['attach']>[0]): Promise<HttpObservability> => {
    if (exporters.length > 0)
      samplers = startSamplers(
        runtime.gauges,
        metrics,
        (cause) => logger.warn({ cause: describeCause(cause) }, 'storage totals unavailable'),
        { ...defaultSamplerTimings, push: statsd !== undefined },
      )
    const render = async () => {
      await samplers?.refresh()
      return prometheus === undefined ? { contentType: 'text/plain', text: '' } : prometheus.render()
    }
    if (metricsPort !== null) {
      server = await startMetricsServer(render, { port: metricsPort, host: config.host })
      logger.info({ port: server.port }, 'metrics listening')
    }
    return {
      metrics,
      accountHash: accountHash(runtime.logHashKey),
      ...(early.errors === undefined ? {} : { reportBug: early.errors.reportBug }),
      ...(metricsToken === null ? {} : { metricsEndpoint: { token: metricsToken, render } }),
    }
  }

  const close = () =>
    (closing ??= (async () => {
      samplers?.stop()
      await Promise.allSettled([
        server?.close(1000),
        statsd?.close(),
        early.errors?.close(),
        early.tracing?.shutdown(),
      ])
    })())

  return { metrics, attach, metricsPort: () => server?.port, close }
}

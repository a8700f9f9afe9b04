/**
 * What the HTTP adapter reports about itself, all optional: metrics, a keyed hash naming accounts in logs,
 * a sink for bugs (Sentry), and GET /metrics behind a bearer token. The composition root fills it in
 * (bind-observability.ts); tests and tools get the silent defaults.
 */
import { type Metrics, noMetrics } from '../../application/ports/metrics'

export type MetricsEndpoint = Readonly<{
  /** Only `Authorization: Bearer <token>` may read; anyone else gets the api-v1 404, as if it did not exist. */
  token: string
  render: () => Promise<{ contentType: string; text: string }>
}>

/** SECURITY: `context` holds the request id and route template only; never a body, header or raw path. */
export type BugReporter = (err: unknown, context: Readonly<{ requestId: string; route: string }>) => void

export type HttpObservability = Readonly<{
  metrics: Metrics
  /**
   * Names an account in the access log without revealing its id (a keyed hash: adapters/observability/account-hash.ts).
   * Without it, access log lines carry no account field at all.
   */
  accountHash?: (accountId: string) => string
  reportBug?: BugReporter
  metricsEndpoint?: MetricsEndpoint
}>

export const silentObservability: HttpObservability = { metrics: noMetrics }

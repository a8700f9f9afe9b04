/** Where metrics, traces and errors go (adapters/observability): every output is off until its variable is set. */
import { group, httpUrl, nonEmpty, optional, port, secret, setting, type EnvOf } from './env-codecs'

export const observabilityVariables = group(
  'Observability',
  'See Operations in the README. Each output is off until its variable is set: no metrics endpoint is ' +
    'public by default, and unset tracing or Sentry loads none of their modules.',
  {
    METRICS_PORT: optional(
      port(0),
      'A second listener, on `HOST`, serving only `GET /metrics` (Prometheus text). Keep this port private ' +
        '(for example `9464`, reachable by Prometheus only). `0`: any free port, printed at start.',
      'off',
    ),
    METRICS_TOKEN: optional(
      secret,
      'At least 32 characters. `GET /metrics` on the API port for `Authorization: Bearer <token>` only; ' +
        'anyone else gets the usual 404.',
      'off',
    ),
    STATSD_HOST: optional(
      nonEmpty,
      'Send every figure to StatsD over UDP, prefixed `zkeb.api.`, dimensions as DogStatsD tags.',
      'off',
    ),
    STATSD_PORT: setting(port(1), 8125, 'StatsD UDP port.'),
    OTEL_EXPORTER_OTLP_ENDPOINT: optional(
      httpUrl,
      '`http(s)://` base URL of an OTLP/HTTP collector; spans go to `<endpoint>/v1/traces`. ' +
        '`OTEL_EXPORTER_OTLP_HEADERS` (for example `authorization=Bearer …`) is passed as the exporter reads it.',
      'off',
    ),
    SENTRY_DSN: optional(
      httpUrl,
      'Report bugs (unhandled errors, failed starts) to Sentry, scrubbed, with `release` = the package version.',
      'off',
    ),
    LOG_HASH_KEY: optional(
      secret,
      'At least 32 characters. HMAC key naming accounts in logs (`account`: a keyed hash, never the id). Set ' +
        'it to rotate or share correlation across deployments.',
      'derived from `TOKEN_SECRET`',
    ),
  },
)

/** Where metrics, traces and errors go; null means off. */
export type ObservabilityConfig = Readonly<{
  /** A second listener serving only GET /metrics (on HOST). */
  metricsPort: number | null
  /** GET /metrics on the main port, for `Authorization: Bearer <token>` only. */
  metricsToken: string | null
  statsd: Readonly<{ host: string; port: number }> | null
  otlpEndpoint: string | null
  sentryDsn: string | null
  /** HMAC key for account ids in logs; null: derived from TOKEN_SECRET. */
  logHashKey: string | null
}>

export const observabilityConfig = (
  env: EnvOf<typeof observabilityVariables>,
): Readonly<{ observability: ObservabilityConfig }> => ({
  observability: {
    metricsPort: env.METRICS_PORT,
    metricsToken: env.METRICS_TOKEN,
    statsd: env.STATSD_HOST === null ? null : { host: env.STATSD_HOST, port: env.STATSD_PORT },
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    sentryDsn: env.SENTRY_DSN,
    logHashKey: env.LOG_HASH_KEY,
  },
})

/**
 * Starts tracing and error reporting before anything else loads: main.ts imports this file first, because
 * OpenTelemetry patches http, koa, pg and ioredis as they are required, and Sentry hooks modules the same way.
 * Each is loaded only when configured (OTEL_EXPORTER_OTLP_ENDPOINT, SENTRY_DSN): otherwise not one module of
 * their SDKs is required, so they cost nothing. An invalid configuration starts neither; main reports it.
 */
import * as E from 'fp-ts/Either'
import type { Tracing } from '../observability/otel-tracing'
import type { ErrorReporting } from '../observability/sentry'
import { decodeConfig } from './config'
import { readVersion } from './version'

export type EarlyObservability = Readonly<{ tracing?: Tracing; errors?: ErrorReporting }>

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, synchronously, before other modules */
const start = (env: NodeJS.ProcessEnv): EarlyObservability => {
  const decoded = decodeConfig(env)
  if (E.isLeft(decoded)) return {}
  const { otlpEndpoint, sentryDsn } = decoded.right.observability
  const version = readVersion()
  const tracing =
    otlpEndpoint === null
      ? undefined
      : (
          require('../observability/otel-tracing') as typeof import('../observability/otel-tracing')
        ).startTracing({
          endpoint: otlpEndpoint,
          serviceName: 'zkeb',
          version,
        })
  const errors =
    sentryDsn === null
      ? undefined
      : (require('../observability/sentry') as typeof import('../observability/sentry')).startSentry({
          dsn: sentryDsn,
          release: version,
          environment: decoded.right.nodeEnv,
        })
  return { ...(tracing === undefined ? {} : { tracing }), ...(errors === undefined ? {} : { errors }) }
}
/* eslint-enable @typescript-eslint/no-require-imports */

export const early: EarlyObservability = start(process.env)

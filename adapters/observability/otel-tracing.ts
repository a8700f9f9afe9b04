/**
 * OpenTelemetry tracing: HTTP (incoming `traceparent` continued, W3C propagation), Koa (spans named by route
 * template), PostgreSQL and ioredis, exported as OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. Loaded only when
 * that is set (see composition/instrument.ts): without it, not one SDK module is required.
 * SECURITY: no headers are captured, Redis statements are the command name only, PostgreSQL statements
 * are knex's parameterised SQL without values, and every span goes through span-scrubbing.ts.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis'
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { scrubbingExporter } from './span-scrubbing'

export type TracingSettings = Readonly<{ endpoint: string; serviceName: string; version: string }>

export type Tracing = Readonly<{ shutdown: () => Promise<void> }>

/** Scrapes and probes every few seconds would drown the traces that matter. */
const untraced = (url: string | undefined): boolean =>
  url !== undefined && (url === '/metrics' || url.startsWith('/api/health'))

export const startTracing = (settings: TracingSettings): Tracing => {
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` })
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.version': settings.version,
    }),
    spanProcessors: [new BatchSpanProcessor(scrubbingExporter(exporter), { scheduledDelayMillis: 1000 })],
  })
  provider.register()
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => untraced(req.url) }),
      new KoaInstrumentation(),
      // Only queries of a traced request: boot-time migrations and role management stay out of traces.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command, requireParentSpan: true }),
    ],
  })
  return {
    shutdown: async () => {
      unregister()
      await provider.shutdown()
    },
  }
}

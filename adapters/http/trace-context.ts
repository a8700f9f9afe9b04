/**
 * Knows the trace id a log line should carry: the active OpenTelemetry span's when tracing runs (its id then
 * continues an incoming `traceparent`), else the incoming `traceparent`'s own, so logs still join the
 * caller's trace when this process exports none. @opentelemetry/api alone is a no-op facade: no SDK loads here.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api'

/** W3C Trace Context: version-traceid-parentid-flags, lower-case hex; an all-zero id is invalid. */
const traceparentPattern = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/

export const currentTraceId = (incomingTraceparent: string | undefined): string | undefined => {
  const active = trace.getActiveSpan()?.spanContext()
  if (active !== undefined && isSpanContextValid(active)) return active.traceId
  const id = traceparentPattern.exec(incomingTraceparent?.trim() ?? '')?.[1]
  return id === undefined || /^0+$/.test(id) ? undefined : id
}

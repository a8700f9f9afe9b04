/**
 * Knows how to strip spans of anything secret before they leave the process: query strings from every URL
 * attribute, secret-named attributes and headers, and error messages (they can quote input) from statuses
 * and exception events. The instrumentations are already configured to capture none of these; this is the
 * net, shared with logs and Sentry through redaction.ts.
 */
import type { Attributes } from '@opentelemetry/api'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node'
import { censor, isSecretName, withoutQuery } from './redaction'

const urlAttributes = new Set(['http.url', 'http.target', 'url.full', 'url.path', 'http.route'])
const droppedAttributes = new Set(['url.query', 'exception.message', 'db.query.parameter'])

/** Statement attributes; role management cannot bind its password, so such SQL carries it as a literal. */
const statementAttributes = new Set(['db.statement', 'db.query.text'])
const carriesPassword = (sql: string): boolean => /\bpassword\b/i.test(sql)

const isSecretHeader = (key: string): boolean => {
  const header = /^http\.(request|response)\.header\.(.+)$/.exec(key)?.[2]
  return header !== undefined && isSecretName(header.replace(/_/g, '-'))
}

export const scrubAttributes = (attributes: Attributes): Attributes =>
  Object.fromEntries(
    Object.entries(attributes)
      .filter(([key]) => !droppedAttributes.has(key) && !key.startsWith('db.postgresql.values'))
      .map(([key, value]) => {
        if (isSecretName(key.split('.').pop() ?? key) || isSecretHeader(key)) return [key, censor]
        if (urlAttributes.has(key) && typeof value === 'string') return [key, withoutQuery(value)]
        if (statementAttributes.has(key) && typeof value === 'string' && carriesPassword(value))
          return [key, censor]
        return [key, value]
      }),
  )

/** A view of `span` with scrubbed attributes, events and status; the original is left untouched. */
export const scrubSpan = (span: ReadableSpan): ReadableSpan =>
  Object.create(span, {
    attributes: { value: scrubAttributes(span.attributes) },
    events: {
      value: span.events.map((event) => ({
        ...event,
        ...(event.attributes === undefined ? {} : { attributes: scrubAttributes(event.attributes) }),
      })),
    },
    status: { value: { code: span.status.code } },
  }) as ReadableSpan

export const scrubbingExporter = (inner: SpanExporter): SpanExporter => ({
  export: (spans, done) => inner.export(spans.map(scrubSpan), done),
  shutdown: () => inner.shutdown(),
  forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
})

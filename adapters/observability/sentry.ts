/**
 * Error reporting to Sentry (@sentry/node), on only when SENTRY_DSN is set (composition/instrument.ts loads
 * this module then, not before). Reports bugs (unhandled errors, failed starts), never expected failures,
 * scrubbed by sentry-scrub.ts; no Sentry tracing (traces go to OTLP), no request data collected, release = version.
 */
import * as Sentry from '@sentry/node'
import { scrubBreadcrumb, scrubEvent } from './sentry-scrub'

export type SentrySettings = Readonly<{ dsn: string; release: string; environment: string }>

export type ErrorReporting = Readonly<{
  reportBug: (err: unknown, context: Readonly<Record<string, string>>) => void
  /** Sends what is queued (at most `timeoutMs`) and stops. */
  close: (timeoutMs?: number) => Promise<void>
}>

export const startSentry = (settings: SentrySettings): ErrorReporting => {
  Sentry.init({
    dsn: settings.dsn,
    release: settings.release,
    environment: settings.environment,
    // Collect nothing from requests in the first place; scrubEvent is the net behind this.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      stackFrameVariables: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
      mcp: { inputs: false, outputs: false },
    },
    enableOpenTelemetrySetup: false,
    maxBreadcrumbs: 20,
    beforeSend: scrubEvent,
    beforeBreadcrumb: scrubBreadcrumb,
    beforeSendTransaction: () => null,
  })
  return {
    reportBug: (err, context) => Sentry.captureException(err, { tags: { ...context } }),
    close: async (timeoutMs = 2_000) => {
      await Sentry.close(timeoutMs)
    },
  }
}

/**
 * Builds the Koa application serving api-v1 over the application's use cases. No port is opened here:
 * `startHttpServer` listens, tests call `app.callback()` or listen on port 0.
 */
import Koa from 'koa'
import type { RateLimiter } from '../../application/ports/rate-limiter'
import type { UseCases } from '../../application/zkeb'
import { type AppState, type HttpLogger, silentLogger } from './http-types'
import { accessLogMiddleware, describeBug, errorHandlerMiddleware } from './middleware/error-handler'
import { identityBodiesMiddleware } from './middleware/content-coding'
import { defaultJsonBodyTimeoutMs } from './middleware/json-body'
import { defaultRateLimitRules, type RateLimitRules } from './middleware/rate-limit'
import { requestIdMiddleware } from './middleware/request-id'
import { resticMiddleware } from './restic/restic-middleware'
import { securityHeadersMiddleware } from './middleware/security-headers'
import { streamSlots } from './middleware/stream-slots'
import { webAppMiddleware } from './middleware/web-app'
import { metricsEndpointMiddleware } from './middleware/metrics-endpoint'
import { type HttpObservability, silentObservability } from './observability'
import { createApiRouter, type HttpLimits, type Lifecycle } from './routes'
import type { WebAppFiles } from './web-app-files'

export type HttpAppDeps = Readonly<{
  useCases: UseCases
  rateLimiter: RateLimiter
  /** Defaults to a logger that drops everything. */
  logger?: HttpLogger
  limits: HttpLimits
  /** Reported by /api/health. */
  version: string
  /** Behind one reverse proxy (Railway, nginx): client IPs come from the last X-Forwarded-For hop. */
  trustProxy: boolean
  /** Defaults to api-v1's limits table. */
  rateLimits?: RateLimitRules
  /** Defaults to always 'ready'; the composition root passes its own to report starting and draining. */
  lifecycle?: () => Lifecycle
  /** The built web app (web/dist), served from the same origin; omitted: api-v1 only. */
  webApp?: WebAppFiles
  /** Metrics, account hashing in logs, bug reports, GET /metrics; defaults to none of them. */
  observability?: HttpObservability
}>

/** api-v1's defaults: 64 KiB JSON bodies received within 10 s, 5 GiB one-shot uploads. */
export const defaultHttpLimits: HttpLimits = {
  jsonBodyBytes: 64 * 1024,
  jsonBodyTimeoutMs: defaultJsonBodyTimeoutMs,
  maxUploadBytes: 5 * 1024 ** 3,
}

export const createHttpApp = (deps: HttpAppDeps): Koa<AppState> => {
  const logger = deps.logger ?? silentLogger
  const observability = deps.observability ?? silentObservability
  const app = new Koa<AppState>({ proxy: deps.trustProxy, maxIpsCount: deps.trustProxy ? 1 : 0 })
  // Errors Koa itself meets after the answer started (a client gone mid-download): logged, never echoed.
  app.on('error', (err: unknown, ctx?: { state?: Partial<AppState> }) =>
    logger.warn({ requestId: ctx?.state?.requestId, err: describeBug(err) }, 'response stream failed'),
  )
  const rateLimits = deps.rateLimits ?? defaultRateLimitRules
  const streams = streamSlots(deps.limits.accountStreamsMax)
  const router = createApiRouter({
    streams,
    useCases: deps.useCases,
    rateLimiter: deps.rateLimiter,
    rateLimits,
    logger,
    limits: deps.limits,
    version: deps.version,
    lifecycle: deps.lifecycle ?? (() => 'ready'),
  })
  app
    .use(requestIdMiddleware())
    .use(accessLogMiddleware(logger, observability))
    .use(webAppMiddleware(deps.webApp ?? new Map()))
    .use(securityHeadersMiddleware())
    .use(errorHandlerMiddleware(logger, observability.reportBug))
  if (observability.metricsEndpoint !== undefined)
    app.use(metricsEndpointMiddleware(observability.metricsEndpoint))
  app
    .use(
      resticMiddleware({
        useCases: deps.useCases,
        logger,
        limits: { limiter: deps.rateLimiter, failures: rateLimits.resticAuth, account: rateLimits.account },
        streams,
      }),
    )
    .use(identityBodiesMiddleware())
    .use(router.routes())
    .use(router.allowedMethods())
  return app
}

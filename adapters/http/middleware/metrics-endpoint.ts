/**
 * GET /metrics on the API port, for Prometheus holding METRICS_TOKEN. Without the exact bearer token the
 * answer is api-v1's plain 404, so the endpoint is not even visible to the public.
 */
import { timingSafeEqual } from 'node:crypto'
import { routeNotFound } from '../error-response'
import type { AppMiddleware } from '../http-types'
import type { MetricsEndpoint } from '../observability'
import { sendError } from '../respond'

export const metricsPath = '/metrics'

const sameSecret = (given: string, expected: string): boolean => {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)]
  return a.length === b.length && timingSafeEqual(a, b)
}

export const metricsEndpointMiddleware =
  (endpoint: MetricsEndpoint): AppMiddleware =>
  async (ctx, next) => {
    if (ctx.path !== metricsPath) {
      await next()
      return
    }
    ctx.state.route = metricsPath
    const token = /^Bearer (.+)$/.exec(ctx.get('Authorization'))?.[1]
    if (ctx.method !== 'GET' || token === undefined || !sameSecret(token, endpoint.token))
      return sendError(ctx, routeNotFound)
    const { contentType, text } = await endpoint.render()
    ctx.status = 200
    ctx.type = contentType
    ctx.set('Cache-Control', 'no-store')
    ctx.body = text
  }

import { randomUUID } from 'node:crypto'
import { sanitizeRequestId } from '../../../domain/audit'
import type { AppMiddleware } from '../http-types'

/**
 * Gives every request an id: a sane incoming `X-Request-Id` (bounded, plain: it reaches the audit trail) or
 * a fresh UUID, echoed on every response, errors included.
 */
export const requestIdMiddleware =
  (generate: () => string = randomUUID): AppMiddleware =>
  async (ctx, next) => {
    const requestId = sanitizeRequestId(ctx.get('X-Request-Id') || undefined) ?? generate()
    ctx.state.requestId = requestId
    ctx.set('X-Request-Id', requestId)
    try {
      await next()
    } finally {
      ctx.set('X-Request-Id', requestId)
    }
  }

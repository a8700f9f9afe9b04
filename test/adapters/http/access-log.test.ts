/**
 * The access log does its per-request bookkeeping only when someone reads it: an info line (pino's level
 * check says so, or the logger has none) or a metrics exporter.
 */
import { expect } from 'chai'
import Koa from 'koa'
import type { AppState, HttpLogger } from '../../../adapters/http/http-types'
import { accessLogMiddleware } from '../../../adapters/http/middleware/error-handler'
import { type Metrics, noMetrics } from '../../../application/ports/metrics'
import { startHttpServer } from '../../../adapters/http/start-http-server'

/** Lines the logger kept, requests the metrics saw, and whether the response's bytes were being counted. */
type Seen = { lines: Array<Record<string, unknown>>; requests: number; counted?: boolean }

const serve = async (logger: HttpLogger, metrics: Metrics, seen: Seen) => {
  const app = new Koa<AppState>()
  app.use(accessLogMiddleware(logger, { metrics })).use((ctx) => {
    ctx.state.requestId = 'r-1'
    seen.counted = Object.hasOwn(ctx.res, 'end') // byte-counter.ts wraps this response's own `end`
    ctx.body = { ok: true }
  })
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1' })
  const res = await fetch(`http://127.0.0.1:${server.port}/x`)
  expect(res.status).to.equal(200)
  await res.text()
  await new Promise((resolve) => setTimeout(resolve, 50)) // the line is written once the answer is sent
  await server.close(100)
}

const watching = (
  levelEnabled: boolean | undefined,
): { logger: HttpLogger; metrics: Metrics; seen: Seen } => {
  const seen: Seen = { lines: [], requests: 0 }
  // Like pino: a disabled level drops the line.
  const info = (fields: Record<string, unknown>) => void (levelEnabled !== false && seen.lines.push(fields))
  const logger: HttpLogger = {
    info,
    warn: info,
    error: info,
    ...(levelEnabled === undefined ? {} : { isLevelEnabled: () => levelEnabled }),
  }
  const metrics: Metrics = { ...noMetrics, request: () => void (seen.requests += 1) }
  return { logger, metrics, seen }
}

describe('access log', () => {
  it('logs one line per request when info is enabled, or when the logger cannot tell', async () => {
    for (const enabled of [true, undefined]) {
      const { logger, seen } = watching(enabled)
      await serve(logger, noMetrics, seen)
      expect(seen.counted).to.equal(true)
      expect(seen.lines.map((l) => [l['requestId'], l['status'], l['bytesOut']])).to.deep.equal([
        ['r-1', 200, 11],
      ])
    }
  })

  it('records the request in the metrics even with info lines off', async () => {
    const { logger, metrics, seen } = watching(false)
    await serve(logger, metrics, seen)
    expect(seen).to.deep.equal({ lines: [], requests: 1, counted: true })
  })

  it('does nothing when neither an info line nor a metrics exporter would read it', async () => {
    const { logger, seen } = watching(false)
    await serve(logger, noMetrics, seen)
    expect(seen).to.deep.equal({ lines: [], requests: 0, counted: false })
  })
})

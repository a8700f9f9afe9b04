/**
 * Real receivers on loopback for what a server process sends out: an OTLP/HTTP trace collector (JSON), a
 * StatsD UDP listener and a Sentry ingest endpoint. Each keeps every payload it received, raw and parsed.
 */
import { createSocket } from 'node:dgram'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export type Received = Readonly<{ path: string; body: string }>

const bodyOf = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const raw = Buffer.concat(chunks)
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')
}

/** An HTTP endpoint answering 200 `{}` to every POST and keeping its body. */
export const startHttpCollector = async () => {
  const received: Received[] = []
  const server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      received.push({ path: req.url ?? '', body })
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type OtlpSpan = Readonly<{
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes?: ReadonlyArray<{ key: string; value: Record<string, unknown> }>
}>

/** Every span of the OTLP/JSON export requests received. */
export const spansIn = (received: ReadonlyArray<Received>): ReadonlyArray<OtlpSpan> =>
  received
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => {
      const body = JSON.parse(r.body) as {
        resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>
      }
      return (body.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []))
    })

/** A UDP socket that keeps every StatsD line. */
export const startStatsdListener = async () => {
  const lines: string[] = []
  const socket = createSocket('udp4')
  socket.on('message', (message) => lines.push(...message.toString('utf8').split('\n').filter(Boolean)))
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    lines,
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}

/** Polls `check` until it holds (or fails the test after `ms`). */
export const eventually = async (check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * The METRICS_PORT listener: GET /metrics and nothing else, so Prometheus can scrape from a private network
 * while the API port stays public. Everything but GET /metrics is a bare 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningHttpServer, startHttpServer } from './start-http-server'

export type MetricsRender = () => Promise<{ contentType: string; text: string }>

const handle =
  (render: MetricsRender) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n')
      return
    }
    try {
      const { contentType, text } = await render()
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(text)
    } catch {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n')
    }
  }

export const startMetricsServer = (
  render: MetricsRender,
  options: Readonly<{ port: number; host: string }>,
): Promise<RunningHttpServer> => startHttpServer({ callback: () => handle(render) }, options)

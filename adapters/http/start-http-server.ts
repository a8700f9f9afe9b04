/** Knows how to put the Koa app on a port with timeouts fit for long uploads, and how to stop it gracefully. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type Koa from 'koa'

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void

export type ServerTimeouts = Readonly<{
  /** Time to receive a request's headers (slowloris guard). */
  headersTimeoutMs: number
  /** A socket with no traffic either way for this long is closed; a live upload keeps resetting it. */
  socketIdleTimeoutMs: number
  /** Idle keep-alive connections; longer than a typical load balancer's 60 s so it closes first. */
  keepAliveTimeoutMs: number
}>

export const defaultServerTimeouts: ServerTimeouts = {
  headersTimeoutMs: 30_000,
  socketIdleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
}

export type RunningHttpServer = Readonly<{
  server: Server
  /** The bound port (useful with port 0). */
  port: number
  /**
   * Stops accepting connections, closes idle ones, lets in-flight requests finish for up to `graceMs`,
   * then cuts what is left. Resolves once the server is closed.
   */
  close: (graceMs?: number) => Promise<void>
}>

const closeGracefully = (server: Server, graceMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs)
    deadline.unref()
    // A connection that finishes its request while draining becomes idle later: end it then, not at the deadline.
    const sweep = setInterval(() => server.closeIdleConnections(), 100)
    sweep.unref()
    server.close((err) => {
      clearTimeout(deadline)
      clearInterval(sweep)
      if (err !== undefined && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(err)
      else resolve()
    })
    server.closeIdleConnections()
  })

/**
 * Listens on `port` (0: any free port). The whole-request timeout is off: a 5 GiB upload may take hours on a
 * slow link; the socket idle timeout ends stalled ones instead.
 */
export const startHttpServer = (
  app: Pick<Koa, 'callback'> | { callback: () => RequestHandler },
  options: Readonly<{ port: number; host?: string; timeouts?: ServerTimeouts }>,
): Promise<RunningHttpServer> => {
  const timeouts = options.timeouts ?? defaultServerTimeouts
  const handle: RequestHandler = app.callback()
  let closing = false
  // Koa's handler never rejects (it answers errors itself); `void` marks the promise as handled.
  // SECURITY: Node enforces headersTimeout only when it sweeps connections, every 30 s by default, so a
  // slowloris client would hold a socket up to headersTimeout + 30 s. Sweep often enough to keep the bound.
  const connectionsCheckingInterval = Math.max(100, Math.min(1000, timeouts.headersTimeoutMs))
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    // While draining, a request that still arrives on a kept-alive connection is served, and that connection
    // then ends, so no socket outlives the in-flight work and the process exits without waiting for the grace.
    if (closing) res.setHeader('Connection', 'close')
    void handle(req, res)
  })
  server.headersTimeout = timeouts.headersTimeoutMs
  server.requestTimeout = 0
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs
  server.setTimeout(timeouts.socketIdleTimeoutMs)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: (graceMs = 10_000) => {
          closing = true
          return closeGracefully(server, graceMs)
        },
      })
    })
  })
}

/**
 * Clients that send slowly or vanish, over real sockets: a JSON body that trickles in is cut off with 408
 * request-timeout once the configured time to read it has passed (not kept for the socket idle timeout); slow
 * headers are cut off by Node's headers timeout; a client that drops mid-body is logged as a client abort, not
 * as an unhandled error (which would page someone).
 */
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'chai'
import { defaultHttpLimits } from '../../../adapters/http/create-http-app'
import type { HttpLogger } from '../../../adapters/http/http-types'
import { defaultServerTimeouts } from '../../../adapters/http/start-http-server'
import { type TestServer, startTestServer } from './http-test-kit'

const jsonBodyTimeoutMs = 400
const headersTimeoutMs = 500

type Line = Readonly<{ level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; message: string }>

const recordingLogger = (): HttpLogger & { lines: Line[] } => {
  const lines: Line[] = []
  const at =
    (level: Line['level']) =>
    (fields: Record<string, unknown>, message: string): void =>
      void lines.push({ level, fields, message })
  return { info: at('info'), warn: at('warn'), error: at('error'), lines }
}

/** A raw connection that keeps what the server answers and when it closed. */
const rawConnection = (port: number) => {
  const socket: Socket = connect({ host: '127.0.0.1', port })
  let received = ''
  socket.setEncoding('latin1')
  socket.on('data', (text: string) => void (received += text))
  socket.on('error', () => undefined)
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())))
  return { socket, received: () => received, closed }
}

const loginFinishHead = (contentLength: number): string =>
  'POST /api/v1/sessions/finish HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
  `Content-Length: ${contentLength}\r\n\r\n`

describe('HTTP api-v1: slow and vanishing clients over real sockets @memory', () => {
  let server: TestServer
  let port: number
  let logger: ReturnType<typeof recordingLogger>

  beforeEach(async () => {
    logger = recordingLogger()
    server = await startTestServer({
      logger,
      limits: { ...defaultHttpLimits, jsonBodyTimeoutMs },
      timeouts: { ...defaultServerTimeouts, headersTimeoutMs },
    })
    port = Number(new URL(server.base).port)
  })
  afterEach(() => server.close())

  it('answers a JSON body that trickles in with 408 request-timeout and closes the connection', async () => {
    const body = JSON.stringify({ loginId: 'x'.repeat(40), finishLoginRequest: 'y'.repeat(40) })
    const conn = rawConnection(port)
    const started = Date.now()
    conn.socket.write(loginFinishHead(body.length))
    // One byte every 100 ms: the whole body would take about 9 s.
    const trickle = setInterval(() => {
      if (!conn.socket.destroyed) conn.socket.write(body[0]!)
    }, 100)
    try {
      const closedAt = await Promise.race([conn.closed, sleep(5000).then(() => undefined)])
      expect(closedAt, 'the server kept the connection').to.be.a('number')
      expect(closedAt! - started).to.be.within(jsonBodyTimeoutMs - 50, jsonBodyTimeoutMs + 1500)
    } finally {
      clearInterval(trickle)
      conn.socket.destroy()
    }
    const [head = '', answer = ''] = conn.received().split('\r\n\r\n')
    expect(head).to.match(/^HTTP\/1\.1 408 /)
    expect(head.toLowerCase()).to.include('connection: close')
    expect(head.toLowerCase()).to.include('content-type: application/json')
    const error = (JSON.parse(answer) as { error: { code: string; retryable: boolean } }).error
    expect(error.code).to.equal('request-timeout')
    expect(error.retryable).to.equal(true)
  })

  it('cuts off headers that trickle in within the headers timeout', async () => {
    const conn = rawConnection(port)
    const started = Date.now()
    conn.socket.write('GET /api/health HTTP/1.1\r\nHost: localhost\r\n')
    const trickle = setInterval(() => {
      if (!conn.socket.destroyed) conn.socket.write('X-Slow: 1\r\n')
    }, 100)
    try {
      const closedAt = await Promise.race([conn.closed, sleep(5000).then(() => undefined)])
      expect(closedAt, 'the server kept the connection').to.be.a('number')
      expect(closedAt! - started).to.be.within(headersTimeoutMs - 50, headersTimeoutMs + 1500)
    } finally {
      clearInterval(trickle)
      conn.socket.destroy()
    }
  })

  it('logs a client that drops mid-body as a client abort, not as an unhandled error', async () => {
    const conn = rawConnection(port)
    conn.socket.write(loginFinishHead(100) + '{"loginId":')
    await sleep(100)
    conn.socket.destroy()
    await conn.closed
    await sleep(200)
    expect(logger.lines.filter((line) => line.level === 'error')).to.deep.equal([])
    const abort = logger.lines.find((line) => line.message === 'client aborted')
    expect(abort, JSON.stringify(logger.lines)).to.not.equal(undefined)
    expect(abort!.level).to.be.oneOf(['info', 'warn'])
    expect(abort!.fields).to.include({ route: '/api/v1/sessions/finish', method: 'POST' })
    const request = logger.lines.find((line) => line.message === 'request')
    expect(request?.fields).to.include({ status: 499, errorCode: 'client-aborted' })
  })
})

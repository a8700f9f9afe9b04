/**
 * Attacks on the HTTP layer itself, over real PostgreSQL: oversized headers, slow clients dribbling headers
 * (slowloris) against the configured timeouts, and path tricks in ids (traversal, encodings, unicode,
 * overlong UTF-8, null bytes). None may reach a 5xx, crash the process or leak another route.
 */
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { expect } from 'chai'
import { anUpload } from '../support/test-client'
import { aUserWithDevice, uploadOverHttp } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from './attack-kit'

/** Opens a raw socket to the target and resolves once connected. */
const rawSocket = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket))
    socket.once('error', reject)
  })

/** Sends `request` verbatim and collects the answer until the server closes or `waitMs` passes. */
const rawExchange = async (port: number, request: string | Buffer, waitMs = 3000): Promise<string> => {
  const socket = await rawSocket(port)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(Buffer.concat(chunks).toString('latin1'))
    }
    const timer = setTimeout(done, waitMs)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      // One answer is enough: every request here carries Connection: close.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) setTimeout(done, 50)
    })
    socket.on('close', done)
    socket.on('error', done)
    socket.write(request)
  })
}

/** A request with its path sent exactly as given (fetch would normalise `..` and `%2e%2e` away first). */
const verbatim = (
  port: number,
  method: string,
  path: string,
  token: string,
): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { Authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      },
    )
    req.on('error', reject)
    req.end()
  })

const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)

const headersTimeoutMs = 1000

describe('attacks: HTTP transport (PostgreSQL)', function () {
  this.timeout(60_000)
  let target: Target
  let user: Awaited<ReturnType<typeof aUserWithDevice>>
  let backupId: string

  before(async () => {
    target = await startTarget({
      timeouts: { headersTimeoutMs, socketIdleTimeoutMs: 5000, keepAliveTimeoutMs: 5000 },
    })
    user = await aUserWithDevice(target)
    const upload = anUpload(user.device.deviceId, user.device.key)
    expect((await uploadOverHttp(target, user.token, upload)).status).to.equal(201)
    backupId = upload.input.backupId
  })
  after(() => target?.close())

  it('answers oversized headers with 431 (or 400), never a 5xx, and keeps serving', async () => {
    const huge = 'a'.repeat(64 * 1024)
    const cases = [
      `GET /api/v1/account HTTP/1.1\r\nHost: x\r\nX-Big: ${huge}\r\nConnection: close\r\n\r\n`,
      `GET /api/v1/account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${huge}\r\nConnection: close\r\n\r\n`,
      `GET /api/v1/account?${huge} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /api/v1/account HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\nConnection: close\r\n\r\n`,
    ]
    for (const request of cases) {
      const status = statusOf(await rawExchange(target.port, request))
      expect(status, request.slice(0, 40)).to.be.oneOf([400, 431])
    }
    expect((await target.call('GET', '/api/health/live')).status).to.equal(200)
  })

  it('closes a connection that dribbles its headers, within the configured headers timeout', async () => {
    const socket = await rawSocket(target.port)
    const opened = Date.now()
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)))
    socket.on('error', () => undefined)
    socket.on('data', () => undefined)
    socket.write('GET /api/v1/account HTTP/1.1\r\nHost: x\r\n')
    // One header byte every 100 ms: the idle timeout never fires, only the headers deadline can stop it.
    const dribble = setInterval(() => {
      if (!socket.destroyed) socket.write('X')
    }, 100)
    try {
      const afterMs = await Promise.race([
        closed,
        new Promise<number>((resolve) => setTimeout(() => resolve(-1), 15_000)),
      ])
      expect(afterMs, 'still open after 15 s').to.be.greaterThan(0)
      expect(afterMs).to.be.at.least(headersTimeoutMs - 100)
      // The check runs on an interval; allow one period plus scheduling noise on a busy machine.
      expect(afterMs).to.be.at.most(headersTimeoutMs * 2 + 1500)
    } finally {
      clearInterval(dribble)
      socket.destroy()
    }
  })

  it('closes a connection that sends nothing at all', async () => {
    const socket = await rawSocket(target.port)
    const opened = Date.now()
    socket.on('error', () => undefined)
    socket.resume() // read the 408, or the close never surfaces
    const afterMs = await Promise.race([
      new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened))),
      new Promise<number>((resolve) => setTimeout(() => resolve(-1), 15_000)),
    ])
    socket.destroy()
    expect(afterMs, 'still open after 15 s').to.be.greaterThan(0)
    // The headers deadline runs from the connection's start, well before the 5 s idle timeout.
    expect(afterMs).to.be.at.most(headersTimeoutMs * 2 + 1500)
  })

  it('treats path tricks in ids as malformed or unknown, never as another resource', async () => {
    const t = user.token
    const tricks = [
      '..',
      '../account',
      '..%2faccount',
      '%2e%2e',
      '%2e%2e%2faccount',
      '%2E%2E%2F..%2Faccount',
      `${backupId}%2f..%2f..%2faccount`,
      `${backupId}/..`,
      `${backupId}%00`,
      `${backupId}%00.json`,
      '%00',
      `${backupId.toUpperCase()}`,
      `${backupId}%20`,
      `%20${backupId}`,
      `${backupId.slice(0, -1)}%EF%BC%90`, // fullwidth digit zero
      `${backupId.slice(0, -1)}%D9%A0`, // Arabic-Indic digit zero
      '%C0%AE%C0%AE%C0%AF', // overlong UTF-8 "../"
      '%E0%80%AE%E0%80%AE',
      '%ff%fe',
      '%',
      '%%32%65',
      '%252e%252e',
      encodeURIComponent('\u202e') + backupId,
      `${backupId};jsessionid=1`,
      `${backupId}?x=1#`,
      '*',
      'a'.repeat(5000),
    ]
    for (const trick of tricks)
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/content'],
        ['DELETE', ''],
        ['POST', '/restore'],
      ] as const) {
        const res = await verbatim(target.port, method, `/api/v1/backups/${trick}${suffix}`, t)
        const text = res.text
        expect(res.status, `${method} ${trick}${suffix}: ${text}`).to.be.oneOf([200, 204, 400, 404, 405])
        if (res.status < 300) {
          // Only the real id (upper-case spelling included: a UUID is case-insensitive) may succeed.
          expect(trick.toLowerCase().startsWith(backupId), `${method} ${trick}`).to.equal(true)
          if (method === 'DELETE')
            await target
              .call('POST', `/api/v1/backups/${backupId}/restore`, { token: t })
              .then((r) => r.text())
        }
        // Traversal never lands on another route: no account view, no listing.
        expect(text).not.to.include('"keyBundle"')
        expect(text).not.to.include('"items"')
      }
    for (const trick of ['..', '%2e%2e', '%2e%2e%2f%2e%2e%2fbackups', `${user.device.deviceId}%00`]) {
      const res = await verbatim(target.port, 'DELETE', `/api/v1/devices/${trick}`, t)
      expect(res.status, trick).to.be.oneOf([400, 404, 405])
    }
    const devices = await target.call('GET', '/api/v1/devices', { token: t })
    expect(((await devices.json()) as { items: Array<{ revokedAt: unknown }> }).items[0]?.revokedAt).to.equal(
      null,
    )
  })

  it('answers raw requests with broken request lines or encodings with 400, never a 5xx', async () => {
    const cases = [
      'GET /api/v1/backups/\x00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /api/v1/backups/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /api/v1/backups/%c0%ae%c0%ae/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET \\api\\v1\\account HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET http://evil.example/api/v1/account HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /api/v1/account HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\nConnection: close\r\n\r\n0\r\n\r\n',
      'GET /api/v1/account HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\nConnection: close\r\n\r\n',
      'GET /api/v1/account HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n',
    ]
    for (const request of cases) {
      const raw = await rawExchange(target.port, Buffer.from(request, 'latin1'))
      const status = statusOf(raw)
      expect(status, JSON.stringify(request.slice(0, 50))).to.be.within(400, 499)
      expect(raw).not.to.include('"keyBundle"')
    }
    expect((await target.call('GET', '/api/health/live')).status).to.equal(200)
  })
})

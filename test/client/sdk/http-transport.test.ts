import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import {
  createHttpClient,
  getAccount,
  login,
  register,
  retryDelayMs,
  type FetchLike,
} from '../../../client/sdk'
import { aPassword, aServer, aUsername, left, optionsFor, right } from './sdk-kit'

describe('the SDK HTTP client', function () {
  this.timeout(30_000)
  let server: TestServer
  const username = aUsername()
  const password = aPassword()
  before(async () => {
    server = await aServer()
    right(await register(optionsFor(server), { username, password }))
  })
  after(() => server.close())

  it('decodes an api-v1 error body into a typed ApiError with status, code and request id', async () => {
    const session = right(await login(optionsFor(server), { username, password }))
    const error = await session.http
      .getBackup('4f7d1c2a-1111-4222-8333-444455556666')
      .catch((e: unknown) => e)
    expect(error).to.have.nested.property('error._tag', 'ApiError')
    expect(error).to.have.nested.property('error.status', 404)
    expect(error).to.have.nested.property('error.code', 'backup-not-found')
    expect(error).to.have.nested.property('error.requestId').that.is.a('string').and.not.empty
  })

  it('streams an upload body with redirect "error", so Node’s fetch does not tee and buffer it whole', async () => {
    const seen: RequestInit[] = []
    const recording: FetchLike = (url, init) => {
      seen.push(init)
      return fetch(url, init)
    }
    const http = createHttpClient({ ...optionsFor(server), fetch: recording })
    const headers = { deviceId: '', contentSha256: '', signature: '', wrappedKey: '', encryptedMetadata: '' }
    const body = () => new Blob([new Uint8Array(10)]).stream()
    await http.uploadBackup('4f7d1c2a-1111-4222-8333-444455556666', headers, body).catch(() => undefined)
    expect(seen.map((i) => [i.method, i.redirect])).to.deep.equal([['PUT', 'error']])
  })

  it('retries a 429 after the Retry-After it was given, then succeeds', async () => {
    const waits: number[] = []
    let refusals = 1
    const limited: FetchLike = async (url, init) => {
      if (url.endsWith('/api/health') && refusals-- > 0)
        return new Response('{}', { status: 429, headers: { 'Retry-After': '2' } })
      return fetch(url, init)
    }
    const http = createHttpClient({
      baseUrl: server.base,
      fetch: limited,
      sleep: (ms) => {
        waits.push(ms)
        return Promise.resolve()
      },
    })
    expect((await http.health()).status).to.equal('ok')
    expect(waits).to.deep.equal([2000])
  })

  it('caps the wait and gives up after the last attempt with the typed error', async () => {
    const always503: FetchLike = () =>
      Promise.resolve(
        Response.json(
          { error: { code: 'unavailable', message: 'x', retryable: true, requestId: 'r1' } },
          { status: 503, headers: { 'Retry-After': '3600' } },
        ),
      )
    const waits: number[] = []
    const http = createHttpClient({
      baseUrl: server.base,
      fetch: always503,
      retry: { maxAttempts: 3, maxDelayMs: 1000 },
      sleep: (ms) => {
        waits.push(ms)
        return Promise.resolve()
      },
    })
    const error = await http.health().catch((e: unknown) => e)
    expect(waits).to.deep.equal([1000, 1000])
    expect(error).to.have.nested.property('error.status', 503)
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryDelayMs('5', 1, 30_000)).to.equal(5000)
    expect(retryDelayMs(new Date(Date.now() + 60_000).toUTCString(), 1, 30_000)).to.equal(30_000)
    expect(retryDelayMs(null, 2, 30_000)).to.equal(1000)
  })

  it('refreshes an expired access token once on 401 and retries the call', async () => {
    const seen: string[] = []
    const session = right(
      await login(optionsFor(server, { onTokens: (t) => seen.push(t.refreshToken) }), { username, password }),
    )
    const tokens = session.http.transport.tokens()!
    session.http.transport.setTokens({ ...tokens, accessToken: 'expired.or.forged' })
    const account = right(await getAccount(session))
    expect(account.username).to.equal(username)
    expect(session.http.transport.tokens()!.accessToken).not.to.equal('expired.or.forged')
    expect(seen).to.have.length(3)
  })

  it('reports the session as ended when the refresh is refused too', async () => {
    const session = right(await login(optionsFor(server), { username, password }))
    session.http.transport.setTokens({ accessToken: 'bad', refreshToken: 'A'.repeat(43), expiresIn: 1 })
    const error = left(await getAccount(session))
    expect(error).to.include({ _tag: 'ApiError', status: 401 })
  })
})

/**
 * restic's REST backend protocol as the server speaks it (over the in-memory application): the exact status
 * codes, headers and bodies restic depends on (docs/api.md, "restic REST backend"), name validation,
 * append-only tokens and the quota. The real client's cycle is in restic-client.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { expect } from 'chai'
import { defaultSettings } from '../../../application/settings'
import {
  aUserWithDevice,
  expectError,
  jsonOf,
  logInOverHttp,
  startTestServer,
  type TestServer,
} from '../http/http-test-kit'

/** Status of a GET sent with `path` exactly as written (fetch would normalise dot segments first). */
const rawStatus = (base: string, path: string, authorization: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base)
    const req = request({ hostname, port, path, headers: { Authorization: authorization } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const v2 = 'application/vnd.x.restic.rest.v2'

type Token = {
  tokenId: string
  token: string
  appendOnly: boolean
  deviceId: string | null
  createdAt: string
}
type User = Awaited<ReturnType<typeof aUserWithDevice>>

describe('restic REST backend: the protocol', () => {
  let server: TestServer
  let user: User
  let full: Token
  let appendOnly: Token

  const newToken = async (who: User, appendOnlyToken: boolean): Promise<Token> => {
    const res = await server.call('POST', '/api/v1/restic-tokens', {
      token: who.token,
      json: { appendOnly: appendOnlyToken },
    })
    expect(res.status).to.equal(201)
    return jsonOf<Token>(res)
  }
  const basic = (username: string, secret: string) =>
    `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`
  /** A restic request as `token` of `who` (the first user by default). */
  const as = (
    token: Token,
    method: string,
    path: string,
    init: { body?: Uint8Array; headers?: Record<string, string> } = {},
    who: User = user,
  ) =>
    fetch(`${server.base}/restic/${path}`, {
      method,
      headers: { Authorization: basic(who.account.username, token.token), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    })
  const upload = async (token: Token, path: string, body: Uint8Array) => as(token, 'POST', path, { body })

  before(async () => {
    server = await startTestServer()
    user = await aUserWithDevice(server)
    full = await newToken(user, false)
    appendOnly = await newToken(user, true)
  })
  after(() => server.close())

  describe('authentication', () => {
    it('answers 401 with a Basic challenge without credentials, with a wrong token or another username', async () => {
      const attempts = [
        fetch(`${server.base}/restic/repo/config`, { method: 'HEAD' }),
        fetch(`${server.base}/restic/repo/config`, {
          headers: { Authorization: basic(user.account.username, 'x'.repeat(43)) },
        }),
        fetch(`${server.base}/restic/repo/config`, {
          headers: { Authorization: basic('someone-else', full.token) },
        }),
        fetch(`${server.base}/restic/repo/config`, { headers: { Authorization: `Bearer ${user.token}` } }),
      ]
      for (const res of await Promise.all(attempts)) {
        expect(res.status).to.equal(401)
        expect(res.headers.get('www-authenticate')).to.equal('Basic realm="restic"')
        expect(await res.text()).not.to.include(full.token)
      }
    })

    it('accepts the username in any letter case', async () => {
      const res = await fetch(`${server.base}/restic/repo/keys/`, {
        headers: { Authorization: basic(user.account.username.toUpperCase(), full.token) },
      })
      expect(res.status).to.equal(200)
    })
  })

  describe('repository and config', () => {
    it('creates a repository with exactly 200 and an empty body, also when it exists', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await as(full, 'POST', 'laptop/?create=true')
        expect(res.status).to.equal(200)
        expect(await res.text()).to.equal('')
      }
      expect((await as(full, 'POST', 'laptop/')).status).to.equal(400)
      const other = await as(full, 'GET', 'laptop/')
      expect(other.status).to.equal(405)
      expect(other.headers.get('allow')).to.equal('POST')
    })

    it('stores the config once: HEAD gives its size, GET its bytes, a second POST is 403', async () => {
      expect((await as(full, 'HEAD', 'cfg/config')).status).to.equal(404)
      const config = randomBytes(155)
      const saved = await upload(full, 'cfg/config', config)
      expect(saved.status).to.equal(200)
      expect(await saved.text()).to.equal('')
      const head = await as(full, 'HEAD', 'cfg/config')
      expect(head.status).to.equal(200)
      expect(head.headers.get('content-length')).to.equal('155')
      const read = await as(full, 'GET', 'cfg/config', { headers: { Range: 'bytes=0-' } })
      expect(read.status).to.equal(206)
      expect(Buffer.from(await read.arrayBuffer()).equals(config)).to.equal(true)
      expect((await upload(full, 'cfg/config', randomBytes(155))).status).to.equal(403)
      expect((await upload(appendOnly, 'cfg/config', randomBytes(155))).status).to.equal(403)
    })
  })

  describe('objects', () => {
    const pack = randomBytes(70_000)
    const name = sha256(pack)

    before(async () => {
      expect((await upload(full, `laptop/data/${name}`, pack)).status).to.equal(200)
    })

    it('refuses a body that does not hash to its name (400) and keeps nothing of it', async () => {
      const body = randomBytes(1000)
      const wrong = sha256(randomBytes(8))
      expect((await upload(full, `laptop/data/${wrong}`, body)).status).to.equal(400)
      expect((await as(full, 'HEAD', `laptop/data/${wrong}`)).status).to.equal(404)
    })

    it('never overwrites an existing object (403), whatever the token', async () => {
      expect((await upload(full, `laptop/data/${name}`, pack)).status).to.equal(403)
      expect((await upload(appendOnly, `laptop/data/${name}`, pack)).status).to.equal(403)
    })

    it('answers HEAD with the size in Content-Length, GET with the bytes', async () => {
      const head = await as(full, 'HEAD', `laptop/data/${name}`)
      expect(head.status).to.equal(200)
      expect(head.headers.get('content-length')).to.equal(String(pack.length))
      const read = await as(full, 'GET', `laptop/data/${name}`)
      expect(read.status).to.equal(200)
      expect(Buffer.from(await read.arrayBuffer()).equals(pack)).to.equal(true)
    })

    it('serves ranges with 206, Content-Range and the exact Content-Length; 416 beyond the end', async () => {
      for (const [header, start, end] of [
        ['bytes=681-928', 681, 928],
        ['bytes=69990-', 69_990, 69_999],
        ['bytes=-5', 69_995, 69_999],
        ['bytes=69000-99999', 69_000, 69_999],
      ] as const) {
        const res = await as(full, 'GET', `laptop/data/${name}`, { headers: { Range: header } })
        expect(res.status, header).to.equal(206)
        expect(res.headers.get('content-range')).to.equal(`bytes ${start}-${end}/${pack.length}`)
        expect(res.headers.get('content-length')).to.equal(String(end - start + 1))
        expect(Buffer.from(await res.arrayBuffer()).equals(pack.subarray(start, end + 1))).to.equal(true)
      }
      const beyond = await as(full, 'GET', `laptop/data/${name}`, { headers: { Range: 'bytes=70000-' } })
      expect(beyond.status).to.equal(416)
      expect(beyond.headers.get('content-range')).to.equal(`bytes */${pack.length}`)
    })

    it('lists v2 with the exact content type and sizes, v1 with names only, and [] for an empty type', async () => {
      const listed = await as(full, 'GET', 'laptop/data/', { headers: { Accept: v2 } })
      expect(listed.status).to.equal(200)
      expect(listed.headers.get('content-type')).to.equal(v2)
      expect(await listed.json()).to.deep.equal([{ name, size: pack.length }])
      const old = await as(full, 'GET', 'laptop/data/')
      expect(old.headers.get('content-type')).to.equal('application/vnd.x.restic.rest.v1')
      expect(await old.json()).to.deep.equal([name])
      const empty = await as(full, 'GET', 'never-created/snapshots/', { headers: { Accept: v2 } })
      expect(empty.status).to.equal(200)
      expect(await empty.json()).to.deep.equal([])
    })

    it('answers 404 to every name, type or path outside restic’s layout', async () => {
      const paths = [
        `laptop/data/${name.toUpperCase()}`,
        `laptop/data/${name.slice(1)}`,
        `laptop/data/${name}/extra`,
        `laptop/things/${name}`,
        `laptop/things/`,
        `laptop/config/${name}`,
        `../laptop/data/${name}`,
        `%2e%2e/data/${name}`,
        `laptop/..%2fdata/${name}`,
        `data/data/${name}`,
        `laptop/nested/data/${name}`,
      ]
      for (const path of paths) expect((await as(full, 'GET', path)).status, path).to.equal(404)
      const auth = basic(user.account.username, full.token)
      for (const path of [`/restic/laptop/../laptop/data/${name}`, `/restic/%2e%2e/laptop/data/${name}`])
        expect(await rawStatus(server.base, path, auth), path).to.equal(404)
    })

    it('keeps accounts apart: another account sees none of these objects', async () => {
      const other = await aUserWithDevice(server)
      const theirs = await newToken(other, false)
      const listed = await as(theirs, 'GET', 'laptop/data/', { headers: { Accept: v2 } }, other)
      expect(await listed.json()).to.deep.equal([])
      expect((await as(theirs, 'GET', `laptop/data/${name}`, {}, other)).status).to.equal(404)
      expect((await as(full, 'GET', `laptop/data/${name}`, {}, other)).status).to.equal(401)
    })
  })

  describe('deletes and append-only tokens', () => {
    const stored = async (type: string) => {
      const body = randomBytes(300)
      const path = `laptop/${type}/${sha256(body)}`
      expect((await upload(appendOnly, path, body)).status).to.equal(200)
      return path
    }

    it('lets an append-only token create objects and delete locks, but no other type or the config', async () => {
      for (const type of ['data', 'keys', 'snapshots', 'index']) {
        const path = await stored(type)
        expect((await as(appendOnly, 'DELETE', path)).status, type).to.equal(403)
        expect((await as(full, 'HEAD', path)).status, type).to.equal(200)
      }
      expect((await as(appendOnly, 'DELETE', 'cfg/config')).status).to.equal(403)
      const lock = await stored('locks')
      const removed = await as(appendOnly, 'DELETE', lock)
      expect(removed.status).to.equal(200)
      expect(await removed.text()).to.equal('')
    })

    it('deletes with exactly 200, also what is not there (retries must succeed)', async () => {
      const path = await stored('snapshots')
      for (let i = 0; i < 2; i++) {
        const res = await as(full, 'DELETE', path)
        expect(res.status).to.equal(200)
        expect(await res.text()).to.equal('')
      }
      expect((await as(full, 'HEAD', path)).status).to.equal(404)
    })
  })

  describe('tokens', () => {
    it('lists tokens without their secrets, and a revoked token stops working at once', async () => {
      const extra = await newToken(user, false)
      const listed = await jsonOf<{ items: Array<Record<string, unknown>> }>(
        await server.call('GET', '/api/v1/restic-tokens', { token: user.token }),
      )
      expect(listed.items.map((t) => t['tokenId'])).to.include.members([full.tokenId, extra.tokenId])
      expect(JSON.stringify(listed)).not.to.include(extra.token)
      expect(listed.items[0]).to.have.keys('tokenId', 'deviceId', 'appendOnly', 'repo', 'createdAt')
      expect((await as(extra, 'GET', 'laptop/keys/')).status).to.equal(200)
      const revoked = await server.call('DELETE', `/api/v1/restic-tokens/${extra.tokenId}`, {
        token: user.token,
      })
      expect(revoked.status).to.equal(204)
      expect((await as(extra, 'GET', 'laptop/keys/')).status).to.equal(401)
      await expectError(
        await server.call('DELETE', `/api/v1/restic-tokens/${extra.tokenId}`, { token: user.token }),
        404,
        'restic-token-not-found',
      )
    })

    it('ends a token when the device that created it is revoked', async () => {
      const other = await aUserWithDevice(server)
      const token = await newToken(other, false)
      expect(token.deviceId).to.equal(null) // this session was opened without a device
      const session = await logInOverHttp(server, other.account, other.device.deviceId)
      const bound = await newToken({ ...other, token: session.accessToken }, false)
      expect(bound.deviceId).to.equal(other.device.deviceId)
      expect((await as(bound, 'GET', 'x/keys/', {}, other)).status).to.equal(200)
      const res = await server.call('DELETE', `/api/v1/devices/${other.device.deviceId}`, {
        token: other.token,
      })
      expect(res.status).to.equal(204)
      expect((await as(bound, 'GET', 'x/keys/', {}, other)).status).to.equal(401)
      expect((await as(token, 'GET', 'x/keys/', {}, other)).status).to.equal(200)
    })

    it('scopes a token made for a repository to it: any other repository answers 401', async () => {
      const res = await server.call('POST', '/api/v1/restic-tokens', {
        token: user.token,
        json: { appendOnly: false, repo: 'scoped' },
      })
      expect(res.status).to.equal(201)
      const scoped = await jsonOf<Token & { repo: string | null }>(res)
      expect(scoped.repo).to.equal('scoped')
      expect((await as(scoped, 'POST', 'scoped/?create=true')).status).to.equal(200)
      expect((await as(scoped, 'HEAD', 'scoped/config')).status).to.equal(404)
      for (const [method, path] of [
        ['POST', 'other/?create=true'],
        ['HEAD', 'other/config'],
        ['GET', 'other/keys/'],
        ['POST', `other/keys/${sha256(Buffer.from('k'))}`],
      ] as const) {
        const refused = await as(scoped, method, path, method === 'POST' ? { body: Buffer.from('k') } : {})
        expect(refused.status, `${method} ${path}`).to.equal(401)
        expect(refused.headers.get('www-authenticate')).to.equal('Basic realm="restic"')
      }
      // An unscoped token still reaches every repository.
      expect((await as(full, 'GET', 'other/keys/')).status).to.equal(200)
      const listed = await jsonOf<{ items: Array<{ tokenId: string; repo: string | null }> }>(
        await server.call('GET', '/api/v1/restic-tokens', { token: user.token }),
      )
      expect(listed.items.find((t) => t.tokenId === scoped.tokenId)?.repo).to.equal('scoped')
      expect(listed.items.find((t) => t.tokenId === full.tokenId)?.repo).to.equal(null)
    })

    it('refuses a repository name restic reserves, or one that is not a path segment, naming the path', async () => {
      for (const repo of ['config', 'data', 'keys', 'locks', 'snapshots', 'index', '../x', '', 'a/b']) {
        const refused = await expectError(
          await server.call('POST', '/api/v1/restic-tokens', {
            token: user.token,
            json: { appendOnly: false, repo },
          }),
          400,
          'invalid-input',
          repo === '' ? [] : [repo],
        )
        expect(refused.details, repo).to.deep.equal({ paths: ['repo'] })
      }
    })

    it('refuses a creation body with unknown or missing fields', async () => {
      await expectError(
        await server.call('POST', '/api/v1/restic-tokens', {
          token: user.token,
          json: { appendOnly: 'yes' },
        }),
        400,
        'invalid-input',
      )
      await expectError(
        await server.call('POST', '/api/v1/restic-tokens', { token: user.token, json: {} }),
        400,
        'invalid-input',
      )
    })
  })

  describe('quota', () => {
    it('answers 507 when an object does not fit, and keeps nothing of it', async () => {
      const small = await startTestServer({
        overrides: { settings: { ...defaultSettings, defaultQuotaBytes: 10_000 } },
      })
      try {
        const who = await aUserWithDevice(small)
        const res = await small.call('POST', '/api/v1/restic-tokens', {
          token: who.token,
          json: { appendOnly: false },
        })
        const token = await jsonOf<Token>(res)
        const post = (body: Uint8Array) =>
          fetch(`${small.base}/restic/r/data/${sha256(body)}`, {
            method: 'POST',
            headers: { Authorization: basic(who.account.username, token.token) },
            body,
          })
        expect((await post(randomBytes(6_000))).status).to.equal(200)
        const tooMuch = randomBytes(6_000)
        expect((await post(tooMuch)).status).to.equal(507)
        const account = await jsonOf<{ quota: { usedBytes: number } }>(
          await small.call('GET', '/api/v1/account', { token: who.token }),
        )
        expect(account.quota.usedBytes).to.equal(6_000)
      } finally {
        await small.close()
      }
    })
  })
})

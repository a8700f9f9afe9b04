/**
 * tus at its edges: a whole file in the creation request (creation-with-upload), and answers that look like
 * the rest of the API (security headers, no CORS, JSON error bodies, 400 for what is not supported).
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { defaultSettings } from '../../../application/settings'
import { anUpload, type AnUpload } from '../../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../../support/tus'
import { aUserWithDevice, expectError, type TestServer, startTestServer } from './http-test-kit'

const tus = { 'Tus-Resumable': '1.0.0' }
const octets = 'application/offset+octet-stream'
/** A browser on another site: the API answers it no CORS grant, tus included. */
const foreignOrigin = { Origin: 'https://attacker.example' }

describe('tus uploads at the edges @memory', () => {
  let server: TestServer
  let user: Awaited<ReturnType<typeof aUserWithDevice>>

  before(async () => {
    server = await startTestServer({
      overrides: { settings: { ...defaultSettings, defaultQuotaBytes: 100_000 } },
    })
    // @tus/server checks Upload-Expires against the system time too: the application's clock starts there.
    server.zkeb.clock.set(new Date())
    user = await aUserWithDevice(server)
  })
  after(() => server.close())

  const signed = (size = 3000): AnUpload =>
    anUpload(user.device.deviceId, user.device.key, { content: randomBytes(size) })
  const creation = (up: AnUpload, extra: Record<string, string> = {}) => ({
    ...tus,
    'Upload-Length': String(up.content.length),
    'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
    ...extra,
  })
  const createWith = (up: AnUpload, body: Uint8Array) =>
    server.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: creation(up, { 'Content-Type': octets }),
      body,
    })
  const usedBytes = async () => {
    const res = await server.call('GET', '/api/v1/account', { token: user.token })
    return ((await res.json()) as { quota: { usedBytes: number } }).quota.usedBytes
  }
  const storedContent = async (up: AnUpload) => {
    const res = await server.call('GET', `/api/v1/backups/${up.input.backupId}/content`, {
      token: user.token,
    })
    expect(res.status).to.equal(200)
    return Buffer.from(await res.arrayBuffer())
  }

  describe('creation-with-upload of a whole file', () => {
    it('answers 201 with Upload-Offset = length and commits the backup', async () => {
      const before = await usedBytes()
      const up = signed()
      const res = await createWith(up, up.content)
      expect(res.status, await res.clone().text()).to.equal(201)
      expect(res.headers.get('upload-offset')).to.equal(String(up.content.length))
      expect(res.headers.get('location')).to.match(/^\/api\/v1\/uploads\/[0-9a-f-]{36}$/)
      // Nothing is left to expire.
      expect(res.headers.get('upload-expires')).to.equal(null)
      expect(await storedContent(up)).to.deep.equal(Buffer.from(up.content))
      expect((await usedBytes()) - before).to.equal(up.content.length)
    })

    it('answers a retry as the one-shot route does: the same content succeeds again, stored once', async () => {
      const before = await usedBytes()
      const up = signed()
      expect((await createWith(up, up.content)).status).to.equal(201)
      const retry = await createWith(up, up.content)
      expect(retry.status, await retry.clone().text()).to.equal(201)
      expect(retry.headers.get('upload-offset')).to.equal(String(up.content.length))
      expect(await storedContent(up)).to.deep.equal(Buffer.from(up.content))
      expect((await usedBytes()) - before).to.equal(up.content.length)
    })

    it('refuses other content under the same backup id with 409 backup-exists', async () => {
      const up = signed()
      expect((await createWith(up, up.content)).status).to.equal(201)
      const other = anUpload(user.device.deviceId, user.device.key, {
        content: randomBytes(3000),
        backupId: up.input.backupId,
      })
      await expectError(await createWith(other, other.content), 409, 'backup-exists')
      expect(await storedContent(up)).to.deep.equal(Buffer.from(up.content))
    })
  })

  describe('answers like the rest of the API', () => {
    const expectApiHeaders = (res: Response, what: string) => {
      expect(res.headers.get('x-content-type-options'), what).to.equal('nosniff')
      expect(res.headers.get('x-frame-options'), what).to.equal('DENY')
      expect(res.headers.get('content-security-policy'), what).to.include("default-src 'none'")
      expect(res.headers.get('cache-control'), what).to.equal('no-store')
      expect(res.headers.get('x-request-id'), what).to.be.a('string')
      const cors = [...res.headers.keys()].filter((name) => name.startsWith('access-control-'))
      expect(cors, what).to.deep.equal([])
    }

    it('sends the security headers and no CORS grant on every tus answer, success or not', async () => {
      const up = signed()
      const options = await server.call('OPTIONS', '/api/v1/uploads', { headers: foreignOrigin })
      const created = await server.call('POST', '/api/v1/uploads', {
        token: user.token,
        headers: { ...creation(up), ...foreignOrigin },
      })
      expect(created.status).to.equal(201)
      const location = created.headers.get('location')!
      const head = await server.call('HEAD', location, {
        token: user.token,
        headers: { ...tus, ...foreignOrigin },
      })
      const patched = await server.call('PATCH', location, {
        token: user.token,
        headers: { ...tus, ...foreignOrigin, 'Content-Type': octets, 'Upload-Offset': '0' },
        body: up.content.subarray(0, 1000),
      })
      expect(patched.status).to.equal(204)
      const conflict = await server.call('PATCH', location, {
        token: user.token,
        headers: { ...tus, ...foreignOrigin, 'Content-Type': octets, 'Upload-Offset': '0' },
        body: up.content.subarray(0, 1000),
      })
      const noVersion = await server.call('HEAD', location, { token: user.token, headers: foreignOrigin })
      const deleted = await server.call('DELETE', location, {
        token: user.token,
        headers: { ...tus, ...foreignOrigin },
      })
      expect(deleted.status).to.equal(204)
      const answers = { options, created, head, patched, conflict, noVersion, deleted }
      for (const [what, res] of Object.entries(answers)) expectApiHeaders(res, what)
    })

    it('answers errors in the API’s JSON shape', async () => {
      const up = signed()
      const created = await server.call('POST', '/api/v1/uploads', {
        token: user.token,
        headers: creation(up),
      })
      const location = created.headers.get('location')!
      const part = (headers: Record<string, string>) =>
        server.call('PATCH', location, { token: user.token, headers, body: up.content.subarray(0, 10) })

      const conflict = await part({ ...tus, 'Content-Type': octets, 'Upload-Offset': '5' })
      expect(conflict.headers.get('content-type')).to.match(/^application\/json/)
      await expectError(conflict, 409, 'upload-offset-conflict')
      const unknown = await server.call('PATCH', '/api/v1/uploads/0b9d4a52-8f2e-4c55-9d4e-2d1c6a1f8b11', {
        token: user.token,
        headers: { ...tus, 'Content-Type': octets, 'Upload-Offset': '0' },
        body: up.content.subarray(0, 10),
      })
      await expectError(unknown, 404, 'upload-not-found')
      await expectError(
        await part({ 'Content-Type': octets, 'Upload-Offset': '0' }),
        412,
        'tus-version-unsupported',
      )
      const badOffset = await expectError(
        await part({ ...tus, 'Content-Type': octets, 'Upload-Offset': 'x' }),
        400,
        'invalid-input',
      )
      expect(badOffset.details).to.deep.equal({ paths: ['Upload-Offset'] })
      const noOffset = await expectError(await part({ ...tus, 'Content-Type': octets }), 400, 'invalid-input')
      expect(noOffset.details).to.deep.equal({ paths: ['Upload-Offset'] })
      await expectError(
        await part({ ...tus, 'Content-Type': 'text/plain', 'Upload-Offset': '0' }),
        415,
        'unsupported-media-type',
      )
    })

    it('answers 400 invalid-input naming the header to a deferred length or a concatenation', async () => {
      const up = signed()
      const { 'Upload-Length': _, ...withoutLength } = creation(up)
      const deferred = await server.call('POST', '/api/v1/uploads', {
        token: user.token,
        headers: { ...withoutLength, 'Upload-Defer-Length': '1' },
      })
      const error = await expectError(deferred, 400, 'invalid-input')
      expect(error.details).to.deep.equal({ paths: ['Upload-Defer-Length'] })
      const concat = await server.call('POST', '/api/v1/uploads', {
        token: user.token,
        headers: { ...creation(up), 'Upload-Concat': 'partial' },
      })
      expect((await expectError(concat, 400, 'invalid-input')).details).to.deep.equal({
        paths: ['Upload-Concat'],
      })
    })
  })
})

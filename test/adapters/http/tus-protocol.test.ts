/** The tus 1.0 protocol at /api/v1/uploads, spoken by hand over real HTTP to the in-memory application. */
import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import sinon from 'sinon'
import { unavailable } from '../../../application/errors'
import { defaultSettings } from '../../../application/settings'
import { anUpload, type AnUpload } from '../../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../../support/tus'
import { defaultHttpLimits } from '../../../adapters/http/create-http-app'
import {
  aUserWithDevice,
  expectError,
  type TestServer,
  startTestServer,
  uploadOverHttp,
} from './http-test-kit'

const tus = { 'Tus-Resumable': '1.0.0' }
const partHeaders = (offset: number, extra: Record<string, string> = {}) => ({
  ...tus,
  'Content-Type': 'application/offset+octet-stream',
  'Upload-Offset': String(offset),
  ...extra,
})
const checksumOf = (bytes: Uint8Array) => `sha256 ${createHash('sha256').update(bytes).digest('base64')}`

describe('tus uploads over HTTP (in-memory application) @memory', () => {
  let server: TestServer
  let user: Awaited<ReturnType<typeof aUserWithDevice>>
  const quota = 10_000
  const lifetimeSeconds = 600
  const logged: Array<Record<string, unknown>> = []
  const logger = {
    info: (fields: Record<string, unknown>) => void logged.push(fields),
    warn: () => undefined,
    error: () => undefined,
  }

  beforeEach(async () => {
    server = await startTestServer({
      overrides: {
        settings: { ...defaultSettings, defaultQuotaBytes: quota, uploadExpirySeconds: lifetimeSeconds },
      },
      limits: { ...defaultHttpLimits, uploadExpirySeconds: lifetimeSeconds },
      logger,
    })
    // @tus/server checks Upload-Expires against the system time too: the application's clock starts there.
    server.zkeb.clock.set(new Date())
    user = await aUserWithDevice(server)
  })
  afterEach(async () => {
    sinon.restore()
    await server.close()
  })

  const signed = (size = 3000): AnUpload =>
    anUpload(user.device.deviceId, user.device.key, { content: randomBytes(size) })
  const create = (up: AnUpload, token = user.token) =>
    server.call('POST', '/api/v1/uploads', {
      token,
      headers: {
        ...tus,
        'Upload-Length': String(up.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
      },
    })
  const created = async (up: AnUpload) => {
    const res = await create(up)
    expect(res.status, await res.clone().text()).to.equal(201)
    return res.headers.get('location')!
  }
  const patch = (location: string, offset: number, body: Uint8Array, extra: Record<string, string> = {}) =>
    server.call('PATCH', location, { token: user.token, headers: partHeaders(offset, extra), body })
  const offsetOf = async (location: string) => {
    const res = await server.call('HEAD', location, { token: user.token, headers: tus })
    expect(res.status).to.equal(200)
    return Number(res.headers.get('upload-offset'))
  }
  const usedBytes = async () => {
    const res = await server.call('GET', '/api/v1/account', { token: user.token })
    return ((await res.json()) as { quota: { usedBytes: number } }).quota.usedBytes
  }

  it('announces tus 1.0 with creation, termination, expiration and sha256 checksums', async () => {
    const res = await server.call('OPTIONS', '/api/v1/uploads')
    expect(res.status).to.equal(204)
    expect(res.headers.get('tus-version')).to.equal('1.0.0')
    expect(res.headers.get('tus-extension')!.split(',')).to.include.members([
      'creation',
      'termination',
      'expiration',
      'checksum',
    ])
    expect(res.headers.get('tus-checksum-algorithm')).to.equal('sha256')
    expect(res.headers.get('tus-max-size')).to.equal(String(5 * 1024 ** 3))
  })

  it('creates, reports the offset, appends, and commits the backup with the exact bytes', async () => {
    const up = signed()
    const res = await create(up)
    expect(res.status).to.equal(201)
    const location = res.headers.get('location')!
    expect(location).to.match(/^\/api\/v1\/uploads\/[0-9a-f-]{36}$/)
    const expires = Date.parse(res.headers.get('upload-expires')!)
    expect(expires - server.zkeb.clock.now().getTime()).to.be.within(
      lifetimeSeconds * 1000 - 1000,
      lifetimeSeconds * 1000,
    )
    expect(await offsetOf(location)).to.equal(0)
    const first = await patch(location, 0, up.content.subarray(0, 1000))
    expect(first.status).to.equal(204)
    expect(first.headers.get('upload-offset')).to.equal('1000')
    const head = await server.call('HEAD', location, { token: user.token, headers: tus })
    expect(head.headers.get('upload-length')).to.equal('3000')
    expect(head.headers.get('cache-control')).to.equal('no-store')
    const last = await patch(location, 1000, up.content.subarray(1000))
    expect(last.status).to.equal(204)
    expect(last.headers.get('upload-offset')).to.equal('3000')
    const content = await server.call('GET', `/api/v1/backups/${up.input.backupId}/content`, {
      token: user.token,
    })
    expect(Buffer.from(await content.arrayBuffer())).to.deep.equal(Buffer.from(up.content))
    expect(await usedBytes()).to.equal(3000)
  })

  it('accepts the first bytes with the creation request (creation-with-upload)', async () => {
    const up = signed()
    const res = await server.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Length': String(up.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
      },
      body: up.content.subarray(0, 1000),
    })
    expect(res.status).to.equal(201)
    expect(res.headers.get('upload-offset')).to.equal('1000')
    const location = res.headers.get('location')!
    expect(await offsetOf(location)).to.equal(1000)
    expect((await patch(location, 1000, up.content.subarray(1000))).status).to.equal(204)
    expect(await usedBytes()).to.equal(3000)
  })

  it('answers 409 to a PATCH at the wrong offset, changing nothing', async () => {
    const up = signed()
    const location = await created(up)
    await patch(location, 0, up.content.subarray(0, 1000))
    const stale = await patch(location, 0, up.content.subarray(0, 1000))
    expect(stale.status).to.equal(409)
    expect(await offsetOf(location)).to.equal(1000)
    // The access log names the route by template and the tus answer by its code.
    const line = logged.find((l) => l['method'] === 'PATCH' && l['status'] === 409)
    expect(line).to.include({ route: '/api/v1/uploads/:uploadId', errorCode: 'upload-offset-conflict' })
  })

  it('answers 460 to a part that does not match its Upload-Checksum, keeping the offset', async () => {
    const up = signed()
    const location = await created(up)
    const part = up.content.subarray(0, 1000)
    const wrong = await patch(location, 0, part, { 'Upload-Checksum': checksumOf(randomBytes(4)) })
    expect(wrong.status).to.equal(460)
    expect(await offsetOf(location)).to.equal(0)
    const right = await patch(location, 0, part, { 'Upload-Checksum': checksumOf(part) })
    expect(right.status).to.equal(204)
    expect(await offsetOf(location)).to.equal(1000)
    const unsupported = await patch(location, 1000, part, { 'Upload-Checksum': 'md5 AAAA' })
    await expectError(unsupported, 400, 'invalid-input')
  })

  it('terminates an upload: gone afterwards, its reservation released', async () => {
    const big = signed(9000)
    const location = await created(big)
    await patch(location, 0, big.content.subarray(0, 500))
    await expectError(await create(signed(2000)), 413, 'quota-exceeded')
    const res = await server.call('DELETE', location, { token: user.token, headers: tus })
    expect(res.status).to.equal(204)
    const head = await server.call('HEAD', location, { token: user.token, headers: tus })
    expect(head.status).to.equal(404)
    await created(signed(2000))
  })

  it('expires an upload after its lifetime and collects it, releasing the reservation', async () => {
    const big = signed(9000)
    const location = await created(big)
    await patch(location, 0, big.content.subarray(0, 500))
    server.zkeb.clock.advance(lifetimeSeconds * 1000 + 1)
    const late = await patch(location, 500, big.content.subarray(500, 1000))
    expect(late.status).to.be.oneOf([404, 410])
    const collected = await server.zkeb.useCases.expireUploads()()
    expect(collected).to.deep.equal({ _tag: 'Right', right: { expired: 1 } })
    await created(signed(9000))
  })

  it('reserves the quota at creation: of two concurrent creations that together exceed it, one gets 413', async () => {
    const [a, b] = await Promise.all([create(signed(6000)), create(signed(6000))])
    expect([a.status, b.status].sort()).to.deep.equal([201, 413])
    const refused = a.status === 413 ? a : b
    const error = await expectError(refused, 413, 'quota-exceeded')
    expect(error.details).to.deep.equal({ limitBytes: quota, usedBytes: 6000 })
  })

  it('keeps the reserved space from a one-shot upload', async () => {
    await created(signed(6000))
    const oneShot = await uploadOverHttp(server, user.token, signed(5000))
    await expectError(oneShot, 413, 'quota-exceeded')
    expect((await uploadOverHttp(server, user.token, signed(4000))).status).to.equal(201)
  })

  it('refuses creation without a session, with bad metadata, or past the upload limit', async () => {
    const up = signed()
    const anonymous = await server.call('POST', '/api/v1/uploads', {
      headers: {
        ...tus,
        'Upload-Length': '3000',
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
      },
    })
    expect(anonymous.status).to.equal(401)
    const { sha256: _, ...noHash } = tusMetadataOf(up)
    const missing = await server.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: { ...tus, 'Upload-Length': '3000', 'Upload-Metadata': uploadMetadataHeader(noHash) },
    })
    const error = await expectError(missing, 400, 'invalid-input', [up.input.signature])
    expect(error.details).to.deep.equal({ paths: ['sha256'] })
    const tooLong = await server.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Upload-Length': String(5 * 1024 ** 3 + 1),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
      },
    })
    expect(tooLong.status).to.equal(413)
  })

  it("hides another account's upload", async () => {
    const up = signed()
    const location = await created(up)
    const other = await aUserWithDevice(server)
    const head = await server.call('HEAD', location, { token: other.token, headers: tus })
    expect(head.status).to.equal(404)
    const res = await server.call('PATCH', location, {
      token: other.token,
      headers: partHeaders(0),
      body: up.content,
    })
    expect(res.status).to.equal(404)
  })

  it('discards the upload when the finished content does not match its signed hash', async () => {
    const up = signed()
    const location = await created(up)
    const forged = randomBytes(3000)
    const res = await patch(location, 0, forged)
    await expectError(res, 422, 'content-hash-mismatch')
    const head = await server.call('HEAD', location, { token: user.token, headers: tus })
    expect(head.status).to.equal(404)
    expect(await usedBytes()).to.equal(0)
  })

  it('answers 503 with the Retry-After the rest of the API sends when a dependency is down (api-v1)', async () => {
    const up = signed()
    const location = await created(up)
    const down = () => TE.left(unavailable('postgres')(new Error('down')))
    // What a Koa route sends for the same failure.
    sinon.stub(server.zkeb.ports.devices, 'list').returns(down())
    const koa = await server.call('GET', '/api/v1/devices', { token: user.token })
    expect(koa.status).to.equal(503)
    const retryAfter = koa.headers.get('retry-after')
    expect(retryAfter).to.match(/^[1-9][0-9]*$/)
    // The part's blob cannot be written; then the session itself cannot be read or created.
    sinon.stub(server.zkeb.ports.blobs, 'write').returns(TE.left(unavailable('blobs')(new Error('down'))))
    const unwritten = await patch(location, 0, up.content.subarray(0, 1000))
    sinon.stub(server.zkeb.ports.uploads, 'find').returns(down())
    sinon.stub(server.zkeb.ports.uploads, 'create').returns(down())
    const unread = await patch(location, 0, up.content.subarray(0, 1000))
    const head = await server.call('HEAD', location, { token: user.token, headers: tus })
    const creation = await create(signed())
    for (const [name, res] of Object.entries({ unwritten, unread, head, creation })) {
      expect(res.status, name).to.equal(503)
      expect(res.headers.get('retry-after'), name).to.equal(retryAfter)
      if (name !== 'head') expect((await expectError(res, 503, 'unavailable')).retryable, name).to.equal(true)
    }
  })
})

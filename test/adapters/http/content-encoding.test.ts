/**
 * The server decodes no content coding: an upload sent with `Content-Encoding: gzip` (or any coding but
 * identity) would be stored as the compressed bytes, so it is refused with 415 before anything is stored, on
 * every route that takes a body.
 */
import { createHash, randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { expect } from 'chai'
import { anUpload, type AnUpload } from '../../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../../support/tus'
import {
  aUserWithDevice,
  expectError,
  jsonOf,
  type TestServer,
  startTestServer,
  uploadHeaders,
} from './http-test-kit'

const tus = { 'Tus-Resumable': '1.0.0' }
const octets = 'application/offset+octet-stream'

describe('HTTP api-v1: request bodies with a content coding @memory', () => {
  let server: TestServer
  let user: Awaited<ReturnType<typeof aUserWithDevice>>

  before(async () => {
    server = await startTestServer()
    server.zkeb.clock.set(new Date())
    user = await aUserWithDevice(server)
  })
  after(() => server.close())

  const signed = (): AnUpload =>
    anUpload(user.device.deviceId, user.device.key, { content: randomBytes(3000) })
  const usedBytes = async () => {
    const res = await server.call('GET', '/api/v1/account', { token: user.token })
    return ((await res.json()) as { quota: { usedBytes: number } }).quota.usedBytes
  }
  const expectRefused = async (res: Response) => {
    const error = await expectError(res, 415, 'unsupported-content-encoding')
    expect(res.headers.get('accept-encoding')).to.equal('identity')
    return error
  }

  it('refuses a one-shot upload sent gzip-encoded (and br, or a list), storing nothing', async () => {
    const before = await usedBytes()
    const up = signed()
    for (const coding of ['gzip', 'br', 'identity, gzip']) {
      const res = await server.call('PUT', `/api/v1/backups/${up.input.backupId}/content`, {
        token: user.token,
        headers: { ...uploadHeaders(up), 'Content-Encoding': coding },
        body: gzipSync(up.content),
      })
      await expectRefused(res)
    }
    const record = await server.call('GET', `/api/v1/backups/${up.input.backupId}`, { token: user.token })
    await expectError(record, 404, 'backup-not-found')
    expect(await usedBytes()).to.equal(before)
  })

  it('takes an upload whose Content-Encoding is identity', async () => {
    const up = signed()
    const res = await server.call('PUT', `/api/v1/backups/${up.input.backupId}/content`, {
      token: user.token,
      headers: { ...uploadHeaders(up), 'Content-Encoding': 'identity' },
      body: up.content,
    })
    expect(res.status).to.equal(201)
  })

  it('refuses a tus creation with a gzip-encoded body, creating no upload', async () => {
    const before = await usedBytes()
    const up = signed()
    const res = await server.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Content-Type': octets,
        'Content-Encoding': 'gzip',
        'Upload-Length': String(up.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
      },
      body: gzipSync(up.content),
    })
    await expectRefused(res)
    expect(res.headers.get('location')).to.equal(null)
    expect(await usedBytes()).to.equal(before)
  })

  it('refuses a gzip-encoded tus PATCH, keeping the offset', async () => {
    const up = signed()
    const created = await server.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Upload-Length': String(up.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
      },
    })
    const location = created.headers.get('location')!
    const res = await server.call('PATCH', location, {
      token: user.token,
      headers: { ...tus, 'Content-Type': octets, 'Upload-Offset': '0', 'Content-Encoding': 'gzip' },
      body: gzipSync(up.content.subarray(0, 1000)),
    })
    await expectRefused(res)
    const head = await server.call('HEAD', location, { token: user.token, headers: tus })
    expect(head.headers.get('upload-offset')).to.equal('0')
  })

  it('refuses a gzip-encoded JSON body alike, rather than failing to parse it', async () => {
    const res = await server.call('POST', '/api/v1/sessions/refresh', {
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ refreshToken: 'x'.repeat(43) })),
    })
    await expectRefused(res)
  })

  it('refuses a gzip-encoded restic object with 415, storing nothing', async () => {
    const created = await server.call('POST', '/api/v1/restic-tokens', {
      token: user.token,
      json: { appendOnly: false },
    })
    const { token } = await jsonOf<{ token: string }>(created)
    const authorization = `Basic ${Buffer.from(`${user.account.username}:${token}`).toString('base64')}`
    const blob = randomBytes(2000)
    const name = createHash('sha256').update(blob).digest('hex')
    const res = await fetch(`${server.base}/restic/repo/data/${name}`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Encoding': 'gzip' },
      body: gzipSync(blob),
    })
    expect(res.status).to.equal(415)
    const head = await fetch(`${server.base}/restic/repo/data/${name}`, {
      method: 'HEAD',
      headers: { Authorization: authorization },
    })
    expect(head.status).to.equal(404)
  })
})

import { request } from 'node:http'
import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import { anUpload } from '../../support/test-client'
import {
  aUserWithDevice,
  expectError,
  type TestServer,
  startTestServer,
  uploadHeaders,
  uploadOverHttp,
} from './http-test-kit'

/** A value no error body may ever contain. */
const secret = `SECRET${randomBytes(6).toString('hex')}`

describe('HTTP api-v1: malformed requests get their 4xx and never echo the input', () => {
  let server: TestServer
  let token: string
  let user: Awaited<ReturnType<typeof aUserWithDevice>>
  before(async () => {
    server = await startTestServer({ limits: { jsonBodyBytes: 64 * 1024, maxUploadBytes: 100_000 } })
    user = await aUserWithDevice(server)
    token = user.token
  })
  after(() => server.close())

  it('answers a body that is not JSON with 400 invalid-json', async () => {
    const res = await server.call('POST', '/api/v1/sessions/start', {
      headers: { 'Content-Type': 'application/json' },
      body: `{"username": "${secret}"`,
    })
    await expectError(res, 400, 'invalid-json', [secret])
  })

  it('answers unknown fields with 400 invalid-input naming them, nested ones too', async () => {
    const top = await server.call('PUT', '/api/v1/account/key-bundle', {
      token,
      json: {
        expectedVersion: 1,
        keyBundle: { passwordWrappedUmk: 'AAAA', recoveryWrappedUmk: 'AAAA' },
        extra: secret,
      },
    })
    expect((await expectError(top, 400, 'invalid-input', [secret])).details).to.deep.equal({
      paths: ['extra'],
    })
    const nested = await server.call('PUT', '/api/v1/account/key-bundle', {
      token,
      json: {
        expectedVersion: 1,
        keyBundle: { passwordWrappedUmk: 'AAAA', recoveryWrappedUmk: 'AAAA', x: secret },
      },
    })
    expect((await expectError(nested, 400, 'invalid-input', [secret])).details).to.deep.equal({
      paths: ['keyBundle.x'],
    })
  })

  it('answers wrong types and bad base64 with the field paths only', async () => {
    const res = await server.call('PUT', '/api/v1/account/key-bundle', {
      token,
      json: {
        expectedVersion: 'one',
        keyBundle: { passwordWrappedUmk: `${secret}+/=`, recoveryWrappedUmk: 7 },
      },
    })
    const error = await expectError(res, 400, 'invalid-input', [secret])
    expect(error.details).to.deep.equal({
      paths: ['expectedVersion', 'keyBundle.passwordWrappedUmk', 'keyBundle.recoveryWrappedUmk'],
    })
  })

  it('answers a JSON array or scalar body with the root path', async () => {
    const res = await server.call('POST', '/api/v1/devices', { token, json: [secret] })
    expect((await expectError(res, 400, 'invalid-input', [secret])).details).to.deep.equal({
      paths: ['(root)'],
    })
  })

  it('answers a JSON body over 64 KiB with 413 payload-too-large', async () => {
    const res = await server.call('POST', '/api/v1/devices', {
      token,
      json: { publicKey: secret, encryptedName: 'A'.repeat(70 * 1024) },
    })
    await expectError(res, 413, 'payload-too-large', [secret])
  })

  it('answers a JSON route called with another content type with 415', async () => {
    const res = await server.call('POST', '/api/v1/sessions/start', {
      headers: { 'Content-Type': 'text/plain' },
      body: secret,
    })
    await expectError(res, 415, 'unsupported-media-type', [secret])
  })

  it('answers a malformed id in the path with 400 naming the parameter', async () => {
    for (const path of [`/api/v1/backups/${secret}`, `/api/v1/backups/${secret}/content`]) {
      const res = await server.call('GET', path, { token })
      expect((await expectError(res, 400, 'invalid-input', [secret])).details).to.deep.equal({
        paths: ['backupId'],
      })
    }
    const device = await server.call('DELETE', `/api/v1/devices/${secret}`, { token })
    expect((await expectError(device, 400, 'invalid-input', [secret])).details).to.deep.equal({
      paths: ['deviceId'],
    })
  })

  it('answers unknown, repeated or out-of-range query parameters with 400', async () => {
    const cases: ReadonlyArray<[string, string[]]> = [
      [`?${secret}=1`, [secret]],
      ['?limit=0', ['limit']],
      ['?limit=201', ['limit']],
      [`?limit=${secret}`, ['limit']],
      [`?trash=${secret}`, ['trash']],
      ['?limit=1&limit=2', ['limit']],
    ]
    for (const [query, paths] of cases) {
      const res = await server.call('GET', `/api/v1/backups${query}`, { token })
      const error = await expectError(res, 400, 'invalid-input', paths[0] === secret ? [] : [secret])
      expect(error.details, query).to.deep.equal({ paths })
    }
    const audit = await server.call('GET', '/api/v1/audit?trash=true', { token })
    expect((await expectError(audit, 400, 'invalid-input')).details).to.deep.equal({ paths: ['trash'] })
  })

  it('answers an upload with missing or malformed headers with 400 naming the headers', async () => {
    const upload = anUpload(user.device.deviceId, user.device.key)
    const headers = uploadHeaders(upload)
    delete headers['ZKEB-Signature']
    headers['ZKEB-Content-SHA256'] = secret
    const res = await server.call('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
      token,
      headers,
      body: upload.content,
    })
    const error = await expectError(res, 400, 'invalid-input', [secret])
    expect(error.details).to.deep.equal({ paths: ['ZKEB-Content-SHA256', 'ZKEB-Signature'] })
  })

  it('answers an upload that is not application/octet-stream with 415', async () => {
    const upload = anUpload(user.device.deviceId, user.device.key)
    const res = await server.call('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
      token,
      headers: { ...uploadHeaders(upload), 'Content-Type': 'application/json' },
      body: upload.content,
    })
    await expectError(res, 415, 'unsupported-media-type')
  })

  it('refuses a declared Content-Length over the route limit with 413 before reading the body', async () => {
    const upload = anUpload(user.device.deviceId, user.device.key)
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.base}/api/v1/backups/${upload.input.backupId}/content`, {
        method: 'PUT',
        headers: {
          ...uploadHeaders(upload),
          Authorization: `Bearer ${token}`,
          'Content-Length': String(10 ** 12),
        },
      })
      req.on('response', (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text })
          req.destroy()
        })
      })
      req.on('error', reject)
      req.flushHeaders()
    })
    expect(status).to.equal(413)
    expect((JSON.parse(body) as { error: { code: string } }).error.code).to.equal('payload-too-large')
  })

  it('answers content that does not match its hash or signature with 422 and stores nothing', async () => {
    const upload = anUpload(user.device.deviceId, user.device.key)
    const tampered = { ...upload, content: randomBytes(upload.content.length) }
    await expectError(await uploadOverHttp(server, token, tampered), 422, 'content-hash-mismatch')
    const forged = anUpload(user.device.deviceId, user.device.key)
    const badSignature = { ...forged, input: { ...forged.input, signature: upload.input.signature } }
    await expectError(await uploadOverHttp(server, token, badSignature), 422, 'bad-signature')
    const missing = await server.call('GET', `/api/v1/backups/${upload.input.backupId}`, { token })
    await expectError(missing, 404, 'backup-not-found')
  })

  it('answers an unknown route with 404 not-found and a wrong method with 405', async () => {
    await expectError(await server.call('GET', `/api/v1/${randomUUID()}`), 404, 'not-found')
    const res = await server.call('PATCH', '/api/v1/devices', { token })
    await expectError(res, 405, 'method-not-allowed')
    expect(res.headers.get('allow')).to.include('GET')
  })
})

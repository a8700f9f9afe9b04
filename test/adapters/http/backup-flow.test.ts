import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { type AuditEvent, firstBrokenLink } from '../../../domain/audit'
import { anUpload } from '../../support/test-client'
import { aUserWithDevice, jsonOf, type TestServer, startTestServer, uploadOverHttp } from './http-test-kit'

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('HTTP api-v1: the backup life cycle', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  it('registers, logs in, adds a device, uploads, lists, downloads, trashes, restores and audits', async () => {
    const { token, device } = await aUserWithDevice(server)
    const upload = anUpload(device.deviceId, device.key, { content: randomBytes(5000) })
    const backupPath = `/api/v1/backups/${upload.input.backupId}`

    const created = await uploadOverHttp(server, token, upload)
    expect(created.status).to.equal(201)
    const summary = await jsonOf(created)
    expect(summary).to.include({
      backupId: upload.input.backupId,
      sizeBytes: 5000,
      sha256: upload.input.contentSha256,
    })
    expect(summary).to.include({ deviceId: device.deviceId, parentId: null })

    const retried = await uploadOverHttp(server, token, upload)
    expect(retried.status).to.equal(200)

    const listed = await jsonOf<{ items: Array<Record<string, unknown>>; nextCursor: string | null }>(
      await server.call('GET', '/api/v1/backups', { token }),
    )
    expect(listed.items.map((b) => b.backupId)).to.deep.equal([upload.input.backupId])
    expect(listed.items[0]).to.include({ wrappedKey: upload.input.wrappedKey, deletedAt: null })
    expect(listed.nextCursor).to.equal(null)

    const one = await jsonOf(await server.call('GET', backupPath, { token }))
    expect(one).to.include({
      signature: upload.input.signature,
      encryptedMetadata: upload.input.encryptedMetadata,
    })

    const whole = await server.call('GET', `${backupPath}/content`, { token })
    expect(whole.status).to.equal(200)
    expect(whole.headers.get('etag')).to.equal(`"${upload.input.contentSha256}"`)
    expect(whole.headers.get('accept-ranges')).to.equal('bytes')
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(upload.content))).to.equal(true)

    const trashed = await server.call('DELETE', backupPath, { token })
    expect(trashed.status).to.equal(204)
    const live = await jsonOf<{ items: unknown[] }>(await server.call('GET', '/api/v1/backups', { token }))
    expect(live.items).to.have.length(0)
    const trash = await jsonOf<{ items: Array<{ backupId: string; deletedAt: string | null }> }>(
      await server.call('GET', '/api/v1/backups?trash=true', { token }),
    )
    expect(trash.items.map((b) => b.backupId)).to.deep.equal([upload.input.backupId])
    expect(trash.items[0]?.deletedAt).to.be.a('string')

    const restored = await server.call('POST', `${backupPath}/restore`, { token })
    expect(restored.status).to.equal(200)
    expect(await jsonOf(restored)).to.include({ backupId: upload.input.backupId, deletedAt: null })

    const audit = await jsonOf<{ items: Array<Record<string, string | null>>; nextCursor: string | null }>(
      await server.call('GET', '/api/v1/audit', { token }),
    )
    const types = audit.items.map((e) => e.type)
    expect(types).to.include.members([
      'registered',
      'login',
      'device-added',
      'backup-uploaded',
      'backup-deleted',
    ])
    expect(types).to.include('backup-restored')
    const events = audit.items.map((e) => ({ ...e, at: new Date(e.at as string) }) as unknown as AuditEvent)
    expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
    const tampered = events.map((e, i) => (i === 1 ? { ...e, type: 'logout' as const } : e))
    expect(firstBrokenLink(tampered, sha256Hex)).to.equal(1)
  })

  it('serves byte ranges and answers If-None-Match with 304', async () => {
    const { token, device } = await aUserWithDevice(server)
    const upload = anUpload(device.deviceId, device.key, { content: randomBytes(1000) })
    expect((await uploadOverHttp(server, token, upload)).status).to.equal(201)
    const content = `/api/v1/backups/${upload.input.backupId}/content`
    const bytes = Buffer.from(upload.content)

    const cases: ReadonlyArray<[string, number, number]> = [
      ['bytes=10-19', 10, 19],
      ['bytes=990-', 990, 999],
      ['bytes=-5', 995, 999],
      ['bytes=900-5000', 900, 999],
    ]
    for (const [range, start, end] of cases) {
      const res = await server.call('GET', content, { token, headers: { Range: range } })
      expect(res.status, range).to.equal(206)
      expect(res.headers.get('content-range')).to.equal(`bytes ${start}-${end}/1000`)
      expect(res.headers.get('content-length')).to.equal(String(end - start + 1))
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1)), range).to.equal(
        true,
      )
    }

    const beyond = await server.call('GET', content, { token, headers: { Range: 'bytes=1000-' } })
    expect(beyond.status).to.equal(416)
    expect(beyond.headers.get('content-range')).to.equal('bytes */1000')
    expect(((await beyond.json()) as { error: { code: string } }).error.code).to.equal(
      'range-not-satisfiable',
    )

    const several = await server.call('GET', content, { token, headers: { Range: 'bytes=0-1,5-6' } })
    expect(several.status).to.equal(200)
    expect((await several.arrayBuffer()).byteLength).to.equal(1000)

    const etag = `"${upload.input.contentSha256}"`
    const cached = await server.call('GET', content, { token, headers: { 'If-None-Match': etag } })
    expect(cached.status).to.equal(304)
    expect(cached.headers.get('etag')).to.equal(etag)
    expect(await cached.text()).to.equal('')

    const stale = await server.call('GET', content, { token, headers: { 'If-None-Match': '"0000"' } })
    expect(stale.status).to.equal(200)
    await stale.arrayBuffer()
  })

  it('pages the backup list with an issued cursor and refuses a forged one', async () => {
    const { token, device } = await aUserWithDevice(server)
    for (let i = 0; i < 3; i++) {
      server.zkeb.clock.advance(1000)
      expect((await uploadOverHttp(server, token, anUpload(device.deviceId, device.key))).status).to.equal(
        201,
      )
    }
    const first = await jsonOf<{ items: unknown[]; nextCursor: string }>(
      await server.call('GET', '/api/v1/backups?limit=2', { token }),
    )
    expect(first.items).to.have.length(2)
    expect(first.nextCursor).to.be.a('string')
    const second = await jsonOf<{ items: unknown[]; nextCursor: string | null }>(
      await server.call('GET', `/api/v1/backups?limit=2&cursor=${first.nextCursor}`, { token }),
    )
    expect(second.items).to.have.length(1)
    expect(second.nextCursor).to.equal(null)
    const forged = await server.call('GET', '/api/v1/backups?cursor=bm90LWEtY3Vyc29y', { token })
    expect(forged.status).to.equal(400)
    expect(((await forged.json()) as { error: { code: string } }).error.code).to.equal('invalid-cursor')
  })
})

/**
 * Every answer of the snapshot key and pack routes (protocol v1.1 §8) on a real server over PostgreSQL:
 * successes and retries, then each error code, in the API's error shape, never echoing what was sent.
 */
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { expect } from 'chai'
import type { ObjectId } from '../../../client/snapshot/object'
import {
  aPackOf,
  aSnapshotUser,
  present,
  putPack,
  type SnapshotUser,
  statsOf,
} from '../../support/snapshot-http-kit'
import { type SnapshotServer, startSnapshotServer } from '../../support/snapshot-server'
import { expectError, httpCaller } from './http-test-kit'

/** A raw PUT: a declared length the body need not match, and a body that may stop half way (a cut client). */
const rawPut = (
  base: string,
  path: string,
  headers: Record<string, string | number>,
  body: Uint8Array = new Uint8Array(0),
  cutAfter?: number,
) =>
  new Promise<{ status: number; text: string } | 'cut'>((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'PUT', headers }, (res) => {
      let text = ''
      res
        .setEncoding('utf8')
        .on('data', (c: string) => (text += c))
        .on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    if (cutAfter === undefined) {
      req.on('error', reject)
      req.end(body)
      return
    }
    req.on('error', () => resolve('cut'))
    req.write(body.subarray(0, cutAfter), () => setTimeout(() => req.destroy(), 100))
  })

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('HTTP snapshots: key and pack answers (PostgreSQL)', function () {
  this.timeout(120_000)
  let server: SnapshotServer
  let user: SnapshotUser
  before(async () => {
    server = await startSnapshotServer()
    user = await aSnapshotUser({ call: httpCaller(server.base) })
  })
  after(() => server.close())

  describe('the snapshot key', () => {
    const wrappedKey = randomBytes(60).toString('base64url')
    const put = (key: string) => user.call('PUT', '/api/v1/snapshot-key', { json: { wrappedKey: key } })

    it('is 404 snapshot-key-not-found before the first', async () => {
      await expectError(await user.call('GET', '/api/v1/snapshot-key'), 404, 'snapshot-key-not-found')
    })

    it('is stored once (201); the same bytes again are 200, other bytes 409 snapshot-key-exists', async () => {
      const first = await put(wrappedKey)
      expect(first.status).to.equal(201)
      expect(await first.json()).to.have.keys('wrappedKey', 'createdAt')
      expect((await put(wrappedKey)).status).to.equal(200)
      const other = randomBytes(60).toString('base64url')
      await expectError(await put(other), 409, 'snapshot-key-exists', [other])
      const got = (await (await user.call('GET', '/api/v1/snapshot-key')).json()) as { wrappedKey: string }
      expect(got.wrappedKey).to.equal(wrappedKey)
    })

    it('refuses a key that is not 60 bytes: 400 invalid-input naming the field, not its value', async () => {
      const short = randomBytes(59).toString('base64url')
      const error = await expectError(await put(short), 400, 'invalid-input', [short])
      expect(error.details?.paths).to.deep.equal(['wrappedKey'])
    })
  })

  describe('packs', () => {
    const headersOf = (sha: string) => ({
      'Content-Type': 'application/octet-stream',
      'ZKEB-Content-SHA256': sha,
    })

    it('stores a pack (201) and answers a retry of the same bytes with 200, adding nothing', async () => {
      const pack = aPackOf([100, 200])
      const first = await putPack(user, pack)
      expect(first.status).to.equal(201)
      expect(await first.json()).to.deep.equal({
        packId: pack.packId,
        sizeBytes: pack.bytes.length,
        objects: 2,
        newObjects: 2,
        newBytes: 300,
      })
      const again = await putPack(user, pack)
      expect(again.status).to.equal(200)
      expect(await again.json()).to.include({ packId: pack.packId, newObjects: 0, newBytes: 0 })
    })

    it('counts only the objects the account does not hold yet', async () => {
      const first = aPackOf([100])
      await putPack(user, first)
      const second = aPackOf([100, 50], [first.entries[0]!.id, randomBytes(32).toString('hex') as ObjectId])
      expect(await (await putPack(user, second)).json()).to.include({ newObjects: 1, newBytes: 50 })
    })

    it('is 409 pack-exists for the same id with other bytes', async () => {
      const pack = aPackOf([100])
      await putPack(user, pack)
      await expectError(await putPack(user, { ...aPackOf([120]), packId: pack.packId }), 409, 'pack-exists')
    })

    it('is 422 content-hash-mismatch when the body is not what the hash says, and stores nothing', async () => {
      const pack = aPackOf([100])
      await expectError(
        await putPack(user, { ...pack, sha256: 'a'.repeat(64) }),
        422,
        'content-hash-mismatch',
      )
      expect(await present(user, [pack.entries[0]!.id])).to.deep.equal([])
    })

    const corrupt: Array<[string, (b: Uint8Array) => void]> = [
      ['magic', (b) => void (b[0] = 0x41)],
      ['version', (b) => void (b[4] = 2)],
      ['count', (b) => void b.set([0, 0, 0, 0], 5)],
      ['length', (b) => void b.set([0, 0, 0, 1], 9 + 32)],
      ['size', (b) => void b.set([0, 0, 0, 99], 9 + 32)],
    ]
    for (const [reason, spoil] of corrupt)
      it(`is 422 bad-pack with details.reason ${reason}`, async () => {
        const bytes = aPackOf([100]).bytes.slice()
        spoil(bytes)
        const pack = { packId: randomBytes(32).toString('hex'), bytes, sha256: sha256(bytes) }
        const error = await expectError(await putPack(user, pack), 422, 'bad-pack')
        expect(error.details).to.deep.equal({ reason })
      })

    it('is 422 bad-pack duplicate-id for an id twice in one header', async () => {
      const id = randomBytes(32).toString('hex') as ObjectId
      const pack = aPackOf([100, 100], [id, id])
      expect((await expectError(await putPack(user, pack), 422, 'bad-pack')).details).to.deep.equal({
        reason: 'duplicate-id',
      })
    })

    it('is 415 without application/octet-stream, 400 for a bad id or a missing hash', async () => {
      const pack = aPackOf([100])
      const path = `/api/v1/snapshot-packs/${pack.packId}`
      const text = await user.call('PUT', path, {
        headers: { ...headersOf(pack.sha256), 'Content-Type': 'text/plain' },
        body: pack.bytes,
      })
      await expectError(text, 415, 'unsupported-media-type')
      const badId = await expectError(
        await putPack(user, { ...pack, packId: 'A'.repeat(64) }),
        400,
        'invalid-input',
      )
      expect(badId.details?.paths).to.deep.equal(['packId'])
      const noHash = await user.call('PUT', path, {
        headers: { 'Content-Type': 'application/octet-stream' },
        body: pack.bytes,
      })
      expect((await expectError(noHash, 400, 'invalid-input')).details?.paths).to.deep.equal([
        'ZKEB-Content-SHA256',
      ])
    })

    it('is 411 length-required for a chunked body', async () => {
      const pack = aPackOf([100])
      const chunked = await user.call('PUT', `/api/v1/snapshot-packs/${pack.packId}`, {
        headers: headersOf(pack.sha256),
        body: new ReadableStream({ start: (c) => (c.enqueue(pack.bytes), c.close()) }),
      })
      await expectError(chunked, 411, 'length-required')
    })

    it('is 413 pack-too-large for a declared length over 64 MiB, before reading the body', async () => {
      const pack = aPackOf([100])
      const answer = await rawPut(server.base, `/api/v1/snapshot-packs/${pack.packId}`, {
        Authorization: `Bearer ${user.token}`,
        ...headersOf(pack.sha256),
        'Content-Length': 64 * 1024 * 1024 + 1,
        Connection: 'close',
      })
      expect(answer).to.not.equal('cut')
      const { status, text } = answer as { status: number; text: string }
      expect([status, (JSON.parse(text) as { error: { code: string } }).error.code]).to.deep.equal([
        413,
        'pack-too-large',
      ])
    })

    it('refuses a bad header from the first bytes, without waiting for the rest of the body', async () => {
      const bytes = aPackOf([100]).bytes.slice(0, 1000)
      bytes[0] = 0x41
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${server.base}/api/v1/snapshot-packs/${randomBytes(32).toString('hex')}`, {
          method: 'PUT',
          headers: {
            Authorization: `Bearer ${user.token}`,
            ...headersOf('b'.repeat(64)),
            'Content-Length': 10_000_000,
          },
        })
        req.on('response', (res) => {
          let text = ''
          res.setEncoding('utf8').on('data', (c: string) => (text += c))
          res.on('end', () => (resolve({ status: res.statusCode ?? 0, text }), req.destroy()))
        })
        req.on('error', reject)
        req.write(bytes) // and never the other 9,999,000 bytes
      })
      expect(answer.status).to.equal(422)
      expect(JSON.parse(answer.text)).to.have.nested.property('error.details.reason', 'magic')
    })

    it('leaves nothing visible when the body is cut mid-stream: no pack, no object, no blob', async () => {
      const pack = aPackOf([40_000, 40_000, 40_000])
      const blobsBefore = await server.db
        .ownerKnex('zkeb.blobs')
        .where({ account_id: user.accountId })
        .count()
      const cut = await rawPut(
        server.base,
        `/api/v1/snapshot-packs/${pack.packId}`,
        {
          Authorization: `Bearer ${user.token}`,
          ...headersOf(pack.sha256),
          'Content-Length': pack.bytes.length,
        },
        pack.bytes,
        60_000,
      )
      expect(cut).to.equal('cut')
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(
        await present(
          user,
          pack.entries.map((e) => e.id),
        ),
      ).to.deep.equal([])
      const packs = await server.db.ownerKnex('zkeb.snapshot_packs').where({ account_id: user.accountId })
      expect(packs.map((p: { pack_id: Buffer }) => p.pack_id.toString('hex'))).not.to.include(pack.packId)
      const blobsAfter = await server.db.ownerKnex('zkeb.blobs').where({ account_id: user.accountId }).count()
      expect(blobsAfter).to.deep.equal(blobsBefore)
      expect((await putPack(user, pack)).status).to.equal(201)
    })

    it('is 413 quota-exceeded for new bytes over the quota, leaving nothing; a pack of held objects still passes', async () => {
      const held = aPackOf([100])
      await putPack(user, held)
      const used = (await statsOf(user)).storedBytes
      await server.db
        .ownerKnex('zkeb.accounts')
        .where({ account_id: user.accountId })
        .update({ quota_limit_bytes: used + 150 })
      const tooMuch = aPackOf([100, 100])
      const error = await expectError(await putPack(user, tooMuch), 413, 'quota-exceeded')
      expect(error.details).to.include({ limitBytes: used + 150 })
      expect(
        await present(
          user,
          tooMuch.entries.map((e) => e.id),
        ),
      ).to.deep.equal([])
      expect((await statsOf(user)).storedBytes).to.equal(used)
      const again = aPackOf([100], [held.entries[0]!.id])
      expect((await putPack(user, again)).status).to.equal(201)
      await server.db
        .ownerKnex('zkeb.accounts')
        .where({ account_id: user.accountId })
        .update({ quota_limit_bytes: 10 * 1024 ** 3 })
    })
  })
})

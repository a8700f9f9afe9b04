/**
 * Creating, reading and forgetting snapshots and reading objects (protocol v1.1 §8) on a real server over
 * PostgreSQL: each answer and error code, and the snapshot key in key rotations.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import type { ObjectId } from '../../../client/snapshot/object'
import type { Pack } from '../../../client/snapshot/pack'
import { encodeCreateSnapshotBody, refsBytes } from '../../../client/snapshot/snapshot-record'
import {
  aPackOf,
  aSnapshot,
  aSnapshotUser,
  postSnapshot,
  putPack,
  type SnapshotUser,
} from '../../support/snapshot-http-kit'
import { type SnapshotServer, startSnapshotServer } from '../../support/snapshot-server'
import { aDeviceKey } from '../../support/test-client'
import { addDeviceOverHttp, expectError, httpCaller } from './http-test-kit'

type Record = {
  snapshotId: string
  seriesId: string
  receivedAt: string
  refCount: number
  refsSha256: string
}

/** A create body from parts, for the malformed ones. */
const bodyOf = (header: unknown, refs: Uint8Array = new Uint8Array(0), length?: number) => {
  const json = Buffer.from(JSON.stringify(header))
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(length ?? json.length)
  return new Uint8Array(Buffer.concat([prefix, json, refs]))
}

describe('HTTP snapshots: records and object reads (PostgreSQL)', function () {
  this.timeout(120_000)
  let server: SnapshotServer
  let user: SnapshotUser
  let pack: Pack
  let ids: ObjectId[]
  before(async () => {
    server = await startSnapshotServer()
    user = await aSnapshotUser({ call: httpCaller(server.base) })
    pack = aPackOf([100, 200, 300])
    expect((await putPack(user, pack)).status).to.equal(201)
    ids = pack.entries.map((e) => e.id)
  })
  after(() => server.close())

  describe('create', () => {
    it('creates the snapshot at the server’s time (201), and a retry of the same body is 200 with the record', async () => {
      server.clock.advance(1234)
      const now = server.clock.now().toISOString()
      const snapshot = aSnapshot(user, ids)
      const created = await postSnapshot(user, snapshot)
      expect(created.status).to.equal(201)
      const record = (await created.json()) as Record
      expect(record).to.deep.include({
        snapshotId: snapshot.snapshotId,
        seriesId: snapshot.seriesId,
        deviceId: user.deviceId,
        receivedAt: now,
        refCount: 3,
        encryptedMetadata: Buffer.from(snapshot.encryptedMetadata).toString('base64url'),
        signature: Buffer.from(snapshot.signature).toString('base64url'),
      })
      server.clock.advance(60_000)
      const retried = await postSnapshot(user, snapshot)
      expect(retried.status).to.equal(200)
      expect(await retried.json()).to.deep.equal(record)
    })

    it('is 409 snapshot-exists for the same id with other refs', async () => {
      const snapshot = aSnapshot(user, ids)
      await postSnapshot(user, snapshot)
      const other = aSnapshot(user, ids.slice(1), { snapshotId: snapshot.snapshotId })
      await expectError(await postSnapshot(user, other), 409, 'snapshot-exists')
    })

    it('is 409 objects-missing naming the refs not held and how many', async () => {
      const absent = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')].sort()
      const error = await expectError(
        await postSnapshot(user, aSnapshot(user, [...ids, ...absent])),
        409,
        'objects-missing',
      )
      expect(error.details).to.deep.equal({ ids: absent, missingCount: 2 })
    })

    it('is 422 bad-signature for a signature of another key, and of other content', async () => {
      await expectError(
        await postSnapshot(user, aSnapshot(user, ids, {}, aDeviceKey())),
        422,
        'bad-signature',
      )
      const snapshot = aSnapshot(user, ids)
      const tampered = { ...snapshot, encryptedMetadata: new Uint8Array(randomBytes(512)) }
      await expectError(await postSnapshot(user, tampered), 422, 'bad-signature')
    })

    it('is 403 device-revoked for a revoked device, 404 device-not-found for an unknown one', async () => {
      const key = aDeviceKey()
      const { deviceId } = await addDeviceOverHttp({ call: httpCaller(server.base) }, user.token, key)
      expect((await user.call('DELETE', `/api/v1/devices/${deviceId}`)).status).to.equal(204)
      const relogged = await user.relogin()
      await expectError(
        await postSnapshot(relogged, aSnapshot(user, ids, { deviceId }, key)),
        403,
        'device-revoked',
      )
      const unknown = aSnapshot(user, ids, { deviceId: randomUUID() })
      await expectError(await postSnapshot(relogged, unknown), 404, 'device-not-found')
      user = relogged
    })

    it('is 415 without application/vnd.zkeb.snapshot', async () => {
      const body = encodeCreateSnapshotBody(aSnapshot(user, ids))
      const res = await user.call('POST', '/api/v1/snapshots', {
        headers: { 'Content-Type': 'application/json' },
        body,
      })
      await expectError(res, 415, 'unsupported-media-type')
    })

    const header = () => {
      const s = aSnapshot(user, ids)
      return {
        snapshotId: s.snapshotId,
        seriesId: s.seriesId,
        deviceId: s.deviceId,
        encryptedMetadata: Buffer.from(s.encryptedMetadata).toString('base64url'),
        signature: Buffer.from(s.signature).toString('base64url'),
        refCount: 3,
      }
    }
    const sorted = () => refsBytes([...ids].sort())
    const invalid: Array<[string, () => Uint8Array, string[]]> = [
      ['bytes that are no body', () => new Uint8Array(randomBytes(3)), ['(root)']],
      ['a header length of 0', () => bodyOf({}, new Uint8Array(0), 0), ['(root)']],
      ['a header over 128 KiB', () => bodyOf(header(), sorted(), 200_000), ['(root)']],
      ['a header that is not JSON', () => new Uint8Array([0, 0, 0, 2, 0x7b, 0x7b]), ['(root)']],
      ['an unknown header field', () => bodyOf({ ...header(), host: 'x' }, sorted()), ['host']],
      ['a refCount of 0', () => bodyOf({ ...header(), refCount: 0 }), ['refCount']],
      [
        'metadata over 64 KiB',
        () => bodyOf({ ...header(), encryptedMetadata: randomBytes(65_537).toString('base64url') }, sorted()),
        ['encryptedMetadata'],
      ],
      ['refs fewer than refCount', () => bodyOf(header(), sorted().subarray(0, 64)), ['refs']],
      ['refs more than refCount', () => bodyOf(header(), new Uint8Array([...sorted(), 1])), ['refs']],
      ['refs out of order', () => bodyOf(header(), refsBytes([...ids].sort().reverse())), ['refs']],
      [
        'a ref twice',
        () => bodyOf({ ...header(), refCount: 2 }, refsBytes([ids[0]!, ids[0]!] as never)),
        ['refs'],
      ],
    ]
    for (const [what, body, paths] of invalid)
      it(`is 400 invalid-input for ${what}, naming ${paths.join(', ')}`, async () => {
        const error = await expectError(await postSnapshot(user, body()), 400, 'invalid-input')
        expect(error.details?.paths).to.deep.equal(paths)
      })
  })

  describe('object reads', () => {
    it('streams the objects in the order asked, repeats included, with their length known first', async () => {
      const asked = [ids[2]!, ids[0]!, ids[2]!, ids[1]!]
      const res = await user.call('POST', '/api/v1/snapshot-objects/read', { json: { ids: asked } })
      expect(res.status).to.equal(200)
      expect(res.headers.get('content-type')).to.equal('application/vnd.zkeb.objects')
      const body = new Uint8Array(await res.arrayBuffer())
      expect(Number(res.headers.get('content-length'))).to.equal(body.length)
      const expected = asked.map((id) => {
        const entry = pack.entries.find((e) => e.id === id)!
        const prefix = Buffer.alloc(36)
        Buffer.from(id, 'hex').copy(prefix)
        prefix.writeUInt32BE(entry.length, 32)
        return Buffer.concat([prefix, pack.bytes.subarray(entry.offset, entry.offset + entry.length)])
      })
      expect(Buffer.from(body).equals(Buffer.concat(expected))).to.equal(true)
    })

    it('is 404 objects-missing naming the ids not held, before any byte', async () => {
      const absent = randomBytes(32).toString('hex')
      const res = await user.call('POST', '/api/v1/snapshot-objects/read', {
        json: { ids: [ids[0], absent, absent] },
      })
      expect((await expectError(res, 404, 'objects-missing')).details).to.deep.equal({ ids: [absent] })
    })

    it('takes the largest lists (1,000 reads, 5,000 has) and refuses one more: 400 invalid-input', async () => {
      const read = (n: number) =>
        user.call('POST', '/api/v1/snapshot-objects/read', {
          json: { ids: Array.from({ length: n }, () => ids[0]) },
        })
      expect((await read(1000)).status).to.equal(200)
      await expectError(await read(1001), 400, 'invalid-input')
      const has = (list: string[]) =>
        user.call('POST', '/api/v1/snapshot-objects/has', { json: { ids: list } })
      const distinct = Array.from({ length: 5001 }, () => randomBytes(32).toString('hex'))
      expect((await has(distinct.slice(0, 5000))).status).to.equal(200)
      await expectError(await has(distinct), 400, 'invalid-input')
      await expectError(await has([ids[0]!, ids[0]!]), 400, 'invalid-input')
    })
  })

  describe('list, get, refs and forget', () => {
    it('lists newest first in keyset pages, and one series', async () => {
      const series = randomBytes(32).toString('hex')
      const made: string[] = []
      for (let i = 0; i < 3; i++) {
        server.clock.advance(1000)
        const s = aSnapshot(user, ids, i === 1 ? {} : { seriesId: series })
        expect((await postSnapshot(user, s)).status).to.equal(201)
        made.push(s.snapshotId)
      }
      const page = async (query: string) =>
        (await (await user.call('GET', `/api/v1/snapshots?${query}`)).json()) as {
          items: Record[]
          nextCursor: string | null
        }
      const first = await page('limit=2')
      expect(first.items.map((r) => r.snapshotId)).to.deep.equal([made[2], made[1]])
      const second = await page(`limit=2&cursor=${first.nextCursor}`)
      expect(second.items[0]!.snapshotId).to.equal(made[0])
      const ofSeries = await page(`seriesId=${series}`)
      expect(ofSeries.items.map((r) => r.snapshotId)).to.deep.equal([made[2], made[0]])
      expect(ofSeries.nextCursor).to.equal(null)
      await expectError(await user.call('GET', '/api/v1/snapshots?cursor=bogus'), 400, 'invalid-cursor')
      await expectError(await user.call('GET', '/api/v1/snapshots?seriesId=xyz'), 400, 'invalid-input')
    })

    it('gets one record and its refs, forgets it once, then answers 404 snapshot-not-found', async () => {
      const s = aSnapshot(user, ids)
      const created = (await (await postSnapshot(user, s)).json()) as Record
      const got = await user.call('GET', `/api/v1/snapshots/${s.snapshotId}`)
      expect(await got.json()).to.deep.equal(created)
      const refs = await user.call('GET', `/api/v1/snapshots/${s.snapshotId}/refs`)
      expect([
        refs.status,
        refs.headers.get('content-type'),
        refs.headers.get('content-length'),
      ]).to.deep.equal([200, 'application/octet-stream', '96'])
      expect(
        Buffer.from(await refs.arrayBuffer()).equals(Buffer.from(refsBytes([...ids].sort() as never))),
      ).to.equal(true)
      expect((await user.call('DELETE', `/api/v1/snapshots/${s.snapshotId}`)).status).to.equal(204)
      for (const [method, path] of [
        ['DELETE', ''],
        ['GET', ''],
        ['GET', '/refs'],
      ] as const)
        await expectError(
          await user.call(method, `/api/v1/snapshots/${s.snapshotId}${path}`),
          404,
          'snapshot-not-found',
        )
    })

    it('is 400 invalid-input for an id that is not a UUIDv4', async () => {
      const error = await expectError(
        await user.call('GET', '/api/v1/snapshots/not-a-uuid'),
        400,
        'invalid-input',
      )
      expect(error.details?.paths).to.deep.equal(['snapshotId'])
    })
  })

  describe('key rotation', () => {
    const rotate = async (who: SnapshotUser, snapshotKey?: string) => {
      const account = (await (await who.call('GET', '/api/v1/account')).json()) as {
        keyBundleVersion: number
      }
      const keyBundle = {
        passwordWrappedUmk: randomBytes(60).toString('base64url'),
        recoveryWrappedUmk: randomBytes(60).toString('base64url'),
      }
      return who.call('POST', '/api/v1/key-rotations', {
        json: {
          expectedVersion: account.keyBundleVersion,
          keyBundle,
          wrappedKeys: [],
          ...(snapshotKey === undefined ? {} : { snapshotKey }),
        },
      })
    }

    it('requires snapshotKey exactly when the account has one, and applies it with the rest', async () => {
      const other = await aSnapshotUser({ call: httpCaller(server.base) })
      const stray = randomBytes(60).toString('base64url')
      const notStored = await expectError(await rotate(other, stray), 409, 'snapshot-key-not-found', [stray])
      expect(notStored.details?.paths).to.deep.equal(['snapshotKey'])
      expect((await rotate(other)).status).to.equal(200)
      await other.call('PUT', '/api/v1/snapshot-key', {
        json: { wrappedKey: randomBytes(60).toString('base64url') },
      })
      const incomplete = await expectError(await rotate(other), 409, 'rotation-incomplete')
      expect(incomplete.details?.paths).to.deep.equal(['snapshotKey'])
      const rewrapped = randomBytes(60).toString('base64url')
      expect((await rotate(other, rewrapped)).status).to.equal(200)
      const key = (await (await other.call('GET', '/api/v1/snapshot-key')).json()) as { wrappedKey: string }
      expect(key.wrappedKey).to.equal(rewrapped)
    })
  })
})

/**
 * Account isolation and garbage collection of snapshot objects on a real server over PostgreSQL: another
 * account's ids are absent; the collector keeps what a snapshot references or a backup recently claimed,
 * removes the rest after the grace period, and deletes packs left empty (row, then blob).
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  aPackOf,
  aSnapshot,
  aSnapshotUser,
  postSnapshot,
  present,
  putPack,
  type SnapshotUser,
  statsOf,
} from '../../support/snapshot-http-kit'
import { type SnapshotServer, startSnapshotServer } from '../../support/snapshot-server'
import { expectError, httpCaller } from './http-test-kit'

const hours = (n: number) => n * 60 * 60 * 1000

describe('HTTP snapshots: isolation and garbage collection (PostgreSQL)', function () {
  this.timeout(120_000)
  let server: SnapshotServer
  // A server (and database) per test: the collector works across all accounts, and each test counts its work.
  beforeEach(async () => {
    server = await startSnapshotServer()
  })
  afterEach(() => server.close())
  const aUser = () => aSnapshotUser({ call: httpCaller(server.base) })

  it("answers nothing about another account's objects, packs and snapshots", async () => {
    const [alice, mallory] = [await aUser(), await aUser()]
    const pack = aPackOf([100, 100])
    await putPack(alice, pack)
    const ids = pack.entries.map((e) => e.id)
    const snapshot = aSnapshot(alice, ids)
    expect((await postSnapshot(alice, snapshot)).status).to.equal(201)

    expect(await present(mallory, ids)).to.deep.equal([])
    const read = await mallory.call('POST', '/api/v1/snapshot-objects/read', { json: { ids } })
    expect((await expectError(read, 404, 'objects-missing')).details).to.deep.equal({ ids })
    const stolen = await postSnapshot(mallory, aSnapshot(mallory, ids))
    expect((await expectError(stolen, 409, 'objects-missing')).details).to.deep.include({ missingCount: 2 })
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/refs'],
      ['DELETE', ''],
    ] as const)
      await expectError(
        await mallory.call(method, `/api/v1/snapshots/${snapshot.snapshotId}${path}`),
        404,
        'snapshot-not-found',
      )
    const listed = (await (await mallory.call('GET', '/api/v1/snapshots')).json()) as { items: unknown[] }
    expect(listed.items).to.deep.equal([])
    expect(await statsOf(mallory)).to.deep.equal({
      storedBytes: 0,
      objects: 0,
      packs: 0,
      packBytes: 0,
      snapshots: 0,
    })
    // The same pack id is Mallory's own to use: ids are unique per account only.
    expect((await putPack(mallory, pack)).status).to.equal(201)
    expect(await present(alice, ids)).to.deep.equal(ids)
    expect((await statsOf(alice)).snapshots).to.equal(1)
  })

  it('keeps referenced and freshly claimed objects, collects the others after the grace period, and empty packs', async () => {
    let user: SnapshotUser = await aUser()
    const kept = aPackOf([100, 100]) // [0] referenced by a snapshot, [1] garbage
    const garbage = aPackOf([100]) // nothing references it
    const claimed = aPackOf([100]) // a later backup's `has` claims it
    for (const p of [kept, garbage, claimed]) expect((await putPack(user, p)).status).to.equal(201)
    const snapshot = aSnapshot(user, [kept.entries[0]!.id])
    expect((await postSnapshot(user, snapshot)).status).to.equal(201)
    const blobOf = async (p: typeof kept) =>
      (
        await server.db
          .ownerKnex('zkeb.snapshot_packs')
          .where({ pack_id: Buffer.from(p.packId, 'hex') })
          .first<{ blob_id: string } | undefined>()
      )?.blob_id
    const garbageBlob = await blobOf(garbage)

    server.clock.advance(hours(47))
    user = await user.relogin()
    expect(await present(user, [claimed.entries[0]!.id])).to.deep.equal([claimed.entries[0]!.id])
    server.clock.advance(hours(2))
    const collected = await server.wired.useCases.collectSnapshotGarbage()()
    expect(collected).to.deep.equal(E.right({ accounts: 1, objects: 2, packs: 1 }))

    user = await user.relogin()
    const all = [kept, garbage, claimed].flatMap((p) => p.entries.map((e) => e.id))
    expect(await present(user, all)).to.deep.equal([kept.entries[0]!.id, claimed.entries[0]!.id])
    expect(await blobOf(garbage)).to.equal(undefined)
    expect(await server.db.ownerKnex('zkeb.blobs').where({ blob_id: garbageBlob })).to.deep.equal([])
    const stats = await statsOf(user)
    expect(stats).to.include({ objects: 2, packs: 2, storedBytes: 200, snapshots: 1 })
    expect(stats.packBytes - stats.storedBytes).to.be.greaterThan(100)

    // Forgotten, its objects stay while the `has` above (which found them) still protects them.
    expect((await user.call('DELETE', `/api/v1/snapshots/${snapshot.snapshotId}`)).status).to.equal(204)
    const collect = () => server.wired.useCases.collectSnapshotGarbage()()
    expect(await collect()).to.deep.equal(E.right({ accounts: 1, objects: 0, packs: 0 }))
    server.clock.advance(hours(49))
    expect(await collect()).to.deep.equal(E.right({ accounts: 1, objects: 2, packs: 2 }))
    user = await user.relogin()
    expect(await statsOf(user)).to.deep.equal({
      storedBytes: 0,
      objects: 0,
      packs: 0,
      packBytes: 0,
      snapshots: 0,
    })
    const account = (await (await user.call('GET', '/api/v1/account')).json()) as {
      quota: { usedBytes: number }
    }
    expect(account.quota.usedBytes).to.equal(0)
  })

  it('lets the next run reuse what a killed run left: its `has` protects the objects from the collector', async () => {
    let user = await aUser()
    const orphaned = aPackOf([100, 100])
    await putPack(user, orphaned)
    server.clock.advance(hours(30))
    user = await user.relogin()
    const ids = orphaned.entries.map((e) => e.id)
    expect(await present(user, ids)).to.deep.equal(ids)
    server.clock.advance(hours(30))
    expect(E.isRight(await server.wired.useCases.collectSnapshotGarbage()())).to.equal(true)
    user = await user.relogin()
    expect((await postSnapshot(user, aSnapshot(user, ids))).status).to.equal(201)
  })
})

/** The SnapshotRepository contract (inside a UnitOfWork), run against every adapter. */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { AccountId } from '../../domain/ids'
import type { ObjectId } from '../../domain/snapshot'
import { snapshotExists } from '../../domain/snapshot-errors'
import { refIds } from '../../domain/snapshot-refs'
import { at } from '../support/persistence-builders'
import { left } from './harness'
import {
  aPack,
  aRecord,
  aSeriesId,
  entriesOf,
  givenAccount,
  inTx,
  refsFor,
  type SnapshotHarness,
} from './snapshot-persistence'

export const snapshotRepositoryContract = (
  name: string,
  setUp: () => Promise<SnapshotHarness>,
): Mocha.Suite =>
  describe(`SnapshotRepository contract (${name})`, () => {
    let h: SnapshotHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    /** An account holding `n` indexed objects, and their ids. */
    const givenObjects = async (n: number): Promise<[AccountId, ObjectId[]]> => {
      const accountId = await givenAccount(h)
      const entries = entriesOf(Array.from({ length: n }, () => 100))
      await inTx(h, accountId, (tx) =>
        tx.snapshotObjects.insertPack(aPack(accountId, entries), entries, at()),
      )
      return [accountId, entries.map((e) => e.objectId)]
    }

    it('finds what was inserted, with its refs in order', async () => {
      const [accountId, ids] = await givenObjects(3)
      const record = aRecord(accountId, { refCount: 3, receivedAt: at(123) })
      await inTx(h, accountId, (tx) => tx.snapshots.insert(record, refsFor(ids)))
      expect(await inTx(h, accountId, (tx) => tx.snapshots.find(accountId, record.snapshotId))).to.deep.equal(
        O.some(record),
      )
      const refs = await inTx(h, accountId, (tx) =>
        tx.snapshots.refs(accountId, record.snapshotId, O.none, 10),
      )
      expect(refIds(refs)).to.deep.equal([...ids].sort())
    })

    it('pages refs after a given id', async () => {
      const [accountId, ids] = await givenObjects(5)
      const record = aRecord(accountId, { refCount: 5 })
      await inTx(h, accountId, (tx) => tx.snapshots.insert(record, refsFor(ids)))
      const sorted = [...ids].sort()
      const page = (after: O.Option<ObjectId>) =>
        inTx(h, accountId, (tx) => tx.snapshots.refs(accountId, record.snapshotId, after, 2))
      expect(refIds(await page(O.none))).to.deep.equal(sorted.slice(0, 2))
      expect(refIds(await page(O.some(sorted[1]!)))).to.deep.equal(sorted.slice(2, 4))
      expect(refIds(await page(O.some(sorted[4]!)))).to.deep.equal([])
    })

    it('refuses a second snapshot under the same id, and keeps the first', async () => {
      const [accountId, ids] = await givenObjects(1)
      const record = aRecord(accountId)
      await inTx(h, accountId, (tx) => tx.snapshots.insert(record, refsFor(ids)))
      const failure = await left(
        h.unitOfWork.inAccount(accountId, (tx) =>
          tx.snapshots.insert({ ...record, seriesId: aSeriesId() }, refsFor(ids)),
        ),
      )
      expect(failure).to.deep.equal(snapshotExists(record.snapshotId))
      expect(await inTx(h, accountId, (tx) => tx.snapshots.find(accountId, record.snapshotId))).to.deep.equal(
        O.some(record),
      )
    })

    it('refuses refs to objects the account does not hold, and stores nothing', async () => {
      const [accountId, ids] = await givenObjects(1)
      const [, theirs] = await givenObjects(1)
      const record = aRecord(accountId, { refCount: 2 })
      const failure = await left(
        h.unitOfWork.inAccount(accountId, (tx) => tx.snapshots.insert(record, refsFor([...ids, ...theirs]))),
      )
      expect(failure._tag).to.equal('Unavailable')
      expect(await inTx(h, accountId, (tx) => tx.snapshots.find(accountId, record.snapshotId))).to.deep.equal(
        O.none,
      )
    })

    it('lists newest first by receive time, then id, in keyset pages, optionally one series', async () => {
      const [accountId, ids] = await givenObjects(1)
      const series = aSeriesId()
      const records = [0, 1, 1, 2].map((t, i) =>
        aRecord(accountId, { receivedAt: at(t * 1000), ...(i % 2 === 0 ? { seriesId: series } : {}) }),
      )
      for (const r of records) await inTx(h, accountId, (tx) => tx.snapshots.insert(r, refsFor(ids)))
      const newest = [...records].sort(
        (a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.snapshotId < b.snapshotId ? 1 : -1),
      )
      const list = (q: Parameters<typeof aQuery>[0]) =>
        inTx(h, accountId, (tx) => tx.snapshots.list(accountId, aQuery(q)))
      expect(await list({ limit: 2 })).to.deep.equal(newest.slice(0, 3))
      const last = newest[1]!
      expect(await list({ limit: 2, after: last })).to.deep.equal(newest.slice(2))
      expect(await list({ limit: 10, series })).to.deep.equal(newest.filter((r) => r.seriesId === series))
    })

    it('forgets a snapshot and its refs once; its objects can then be collected', async () => {
      const [accountId, ids] = await givenObjects(2)
      const record = aRecord(accountId, { refCount: 2 })
      await inTx(h, accountId, (tx) => tx.snapshots.insert(record, refsFor(ids)))
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.collectObjects(accountId, at(1), 10)),
      ).to.equal(0)
      expect(await inTx(h, accountId, (tx) => tx.snapshots.remove(accountId, record.snapshotId))).to.equal(
        true,
      )
      expect(await inTx(h, accountId, (tx) => tx.snapshots.remove(accountId, record.snapshotId))).to.equal(
        false,
      )
      expect(await inTx(h, accountId, (tx) => tx.snapshots.count(accountId))).to.equal(0)
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.collectObjects(accountId, at(1), 10)),
      ).to.equal(2)
    })

    it('keeps accounts apart', async () => {
      const [mine] = await givenObjects(1)
      const [theirs, ids] = await givenObjects(1)
      const record = aRecord(theirs)
      await inTx(h, theirs, (tx) => tx.snapshots.insert(record, refsFor(ids)))
      expect(await inTx(h, mine, (tx) => tx.snapshots.find(theirs, record.snapshotId))).to.deep.equal(O.none)
      expect(await inTx(h, mine, (tx) => tx.snapshots.list(theirs, aQuery({ limit: 10 })))).to.deep.equal([])
      expect(
        (await inTx(h, mine, (tx) => tx.snapshots.refs(theirs, record.snapshotId, O.none, 10))).length,
      ).to.equal(0)
      expect(await inTx(h, mine, (tx) => tx.snapshots.remove(theirs, record.snapshotId))).to.equal(false)
      expect(await inTx(h, theirs, (tx) => tx.snapshots.count(theirs))).to.equal(1)
    })

    it('runs the collector lock holders of one account one after the other', async () => {
      const accountId = await givenAccount(h)
      const order: string[] = []
      const holder = (label: string, holdMs: number) =>
        inTx(h, accountId, (tx) => async () => {
          const locked = await tx.snapshots.lockCollector(accountId)()
          order.push(`${label} in`)
          await new Promise((resolve) => setTimeout(resolve, holdMs))
          order.push(`${label} out`)
          return locked
        })
      const first = holder('a', 300)
      await new Promise((resolve) => setTimeout(resolve, 50))
      await Promise.all([first, holder('b', 0)])
      expect(order).to.deep.equal(['a in', 'a out', 'b in', 'b out'])
    })
  })

const aQuery = (q: { limit: number; after?: { receivedAt: Date; snapshotId: string }; series?: string }) => ({
  limit: q.limit,
  cursor:
    q.after === undefined ? O.none : O.some({ at: q.after.receivedAt, id: q.after.snapshotId as never }),
  seriesId: q.series === undefined ? O.none : O.some(q.series as never),
})

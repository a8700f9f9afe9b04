/**
 * The SnapshotObjectIndex contract (inside a UnitOfWork) and the SnapshotAccounts listing, run against every
 * adapter: indexing (first location wins), claims, locations, missing refs, stats, quota, blob references,
 * the collector's two steps, account isolation.
 */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { packExists } from '../../domain/snapshot-errors'
import { anAccountId, at } from '../support/persistence-builders'
import { left, right, usedBytes } from './harness'
import {
  aPack,
  aRecord,
  anObjectId,
  entriesOf,
  givenAccount,
  inTx,
  refsFor,
  type SnapshotHarness,
} from './snapshot-persistence'
import type { AccountId } from '../../domain/ids'
import type { PackEntry, SnapshotPack } from '../../domain/snapshot'

export const snapshotObjectIndexContract = (
  name: string,
  setUp: () => Promise<SnapshotHarness>,
): Mocha.Suite =>
  describe(`SnapshotObjectIndex contract (${name})`, () => {
    let h: SnapshotHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const store = (pack: SnapshotPack, entries: ReadonlyArray<PackEntry>, claimedAt = at()) =>
      inTx(h, pack.accountId, (tx) => tx.snapshotObjects.insertPack(pack, entries, claimedAt))
    const locate = (accountId: AccountId, ids: ReadonlyArray<PackEntry['objectId']>) =>
      inTx(h, accountId, (tx) => tx.snapshotObjects.locate(accountId, ids))

    it('records the pack and indexes its objects where the header puts them', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100, 200, 300])
      const pack = aPack(accountId, entries)
      expect(await store(pack, entries)).to.deep.equal({ newObjects: 3, newBytes: 600 })
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.findPack(accountId, pack.packId)),
      ).to.deep.equal(O.some(pack))
      const found = await locate(
        accountId,
        entries.map((e) => e.objectId),
      )
      expect(found).to.have.deep.members(entries.map((e) => ({ ...e, blobId: pack.blobId })))
    })

    it('keeps the first location of an id a later pack repeats, and counts only what is new', async () => {
      const accountId = await givenAccount(h)
      const first = entriesOf([100, 200])
      const firstPack = aPack(accountId, first)
      await store(firstPack, first)
      const second = entriesOf([150, 400], [first[1]!.objectId, anObjectId()])
      expect(await store(aPack(accountId, second), second)).to.deep.equal({ newObjects: 1, newBytes: 400 })
      expect(await locate(accountId, [first[1]!.objectId])).to.deep.equal([
        { ...first[1]!, blobId: firstPack.blobId },
      ])
      expect(await usedBytes(h, accountId)).to.equal(700)
    })

    it('refuses a pack id taken, and stores nothing of the second pack', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100])
      const pack = aPack(accountId, entries)
      await store(pack, entries)
      const other = entriesOf([100])
      const failure = await left(
        h.unitOfWork.inAccount(accountId, (tx) =>
          tx.snapshotObjects.insertPack({ ...pack, sha256: other[0]!.objectId as never }, other, at()),
        ),
      )
      expect(failure).to.deep.equal(packExists(pack.packId))
      expect(await locate(accountId, [other[0]!.objectId])).to.deep.equal([])
    })

    it('claims the held ids, in the order asked, and answers nothing for the others', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100, 100, 100])
      await store(aPack(accountId, entries), entries)
      const [a, b, c] = entries.map((e) => e.objectId)
      const asked = [c!, anObjectId(), a!]
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.claim(accountId, asked, at(1))),
      ).to.deep.equal([c, a])
      expect(b).to.be.a('string')
    })

    it('protects a claimed object from the collector until its claim is older than the cutoff', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100, 100])
      await store(aPack(accountId, entries), entries, at(0))
      await inTx(h, accountId, (tx) =>
        tx.snapshotObjects.claim(accountId, [entries[0]!.objectId], at(10_000)),
      )
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.collectObjects(accountId, at(5_000), 100)),
      ).to.equal(1)
      expect(
        await locate(
          accountId,
          entries.map((e) => e.objectId),
        ),
      ).to.have.length(1)
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.collectObjects(accountId, at(10_001), 100)),
      ).to.equal(1)
      expect(
        await locate(
          accountId,
          entries.map((e) => e.objectId),
        ),
      ).to.deep.equal([])
    })

    it('refreshes the claim of an id a later pack repeats', async () => {
      const accountId = await givenAccount(h)
      const first = entriesOf([100])
      await store(aPack(accountId, first), first, at(0))
      const again = entriesOf([100], [first[0]!.objectId])
      await store(aPack(accountId, again), again, at(10_000))
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.collectObjects(accountId, at(5_000), 100)),
      ).to.equal(0)
    })

    it('never collects an object a snapshot references, and collects at most `limit` at a time', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100, 100, 100, 100])
      await store(aPack(accountId, entries), entries, at(0))
      const kept = entries[2]!.objectId
      await inTx(h, accountId, (tx) => tx.snapshots.insert(aRecord(accountId), refsFor([kept])))
      const collect = () => inTx(h, accountId, (tx) => tx.snapshotObjects.collectObjects(accountId, at(1), 2))
      expect([await collect(), await collect(), await collect()]).to.deep.equal([2, 1, 0])
      expect(
        await locate(
          accountId,
          entries.map((e) => e.objectId),
        ),
      ).to.deep.equal([{ ...entries[2]!, blobId: (await locate(accountId, [kept]))[0]!.blobId }])
    })

    it('removes packs with no indexed object left and returns them; the others stay', async () => {
      const accountId = await givenAccount(h)
      const dead = entriesOf([100])
      const live = entriesOf([100])
      const deadPack = aPack(accountId, dead)
      const livePack = aPack(accountId, live)
      await store(deadPack, dead, at(0))
      await store(livePack, live, at(10_000))
      await inTx(h, accountId, (tx) => tx.snapshotObjects.collectObjects(accountId, at(5_000), 100))
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.removeEmptyPacks(accountId, 10)),
      ).to.deep.equal([deadPack])
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.removeEmptyPacks(accountId, 10)),
      ).to.deep.equal([])
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.findPack(accountId, livePack.packId)),
      ).to.deep.equal(O.some(livePack))
    })

    it('names the refs the account does not hold: the first ones in order, and how many', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100, 100])
      await store(aPack(accountId, entries), entries)
      const absent = [anObjectId(), anObjectId(), anObjectId()].sort()
      const refs = refsFor([...entries.map((e) => e.objectId), ...absent])
      expect(await inTx(h, accountId, (tx) => tx.snapshotObjects.missing(accountId, refs, 2))).to.deep.equal({
        ids: absent.slice(0, 2),
        count: 3,
      })
      const held = refsFor(entries.map((e) => e.objectId))
      expect(await inTx(h, accountId, (tx) => tx.snapshotObjects.missing(accountId, held, 2))).to.deep.equal({
        ids: [],
        count: 0,
      })
    })

    it('sums stored bytes once per id, and pack bytes per pack', async () => {
      const accountId = await givenAccount(h)
      const first = entriesOf([100, 200])
      const second = entriesOf([200, 50], [first[1]!.objectId, anObjectId()])
      const [p1, p2] = [aPack(accountId, first), aPack(accountId, second)]
      await store(p1, first)
      await store(p2, second)
      expect(await inTx(h, accountId, (tx) => tx.snapshotObjects.stats(accountId))).to.deep.equal({
        storedBytes: 350,
        objects: 3,
        packs: 2,
        packBytes: p1.sizeBytes + p2.sizeBytes,
      })
    })

    it("counts a pack's blob as referenced, so blob garbage collection keeps it", async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100])
      const pack = aPack(accountId, entries)
      await store(pack, entries)
      const orphan = aPack(accountId, entries)
      const asked = [pack, orphan].map((p) => ({ accountId, blobId: p.blobId }))
      expect(await right(h.backups.referencedBlobs(asked))).to.deep.equal([
        { accountId, blobId: pack.blobId },
      ])
    })

    it('keeps accounts apart: another account’s ids are absent, and it cannot touch them', async () => {
      const [mine, theirs] = [await givenAccount(h), await givenAccount(h)]
      const entries = entriesOf([100])
      const pack = aPack(theirs, entries)
      await store(pack, entries, at(0))
      const ids = entries.map((e) => e.objectId)
      expect(await locate(mine, ids)).to.deep.equal([])
      expect(await inTx(h, mine, (tx) => tx.snapshotObjects.claim(theirs, ids, at(1)))).to.deep.equal([])
      expect(await inTx(h, mine, (tx) => tx.snapshotObjects.findPack(theirs, pack.packId))).to.deep.equal(
        O.none,
      )
      expect(await inTx(h, mine, (tx) => tx.snapshotObjects.collectObjects(theirs, at(9_000), 100))).to.equal(
        0,
      )
      expect(
        (await inTx(h, mine, (tx) => tx.snapshotObjects.missing(mine, refsFor(ids), 10))).count,
      ).to.equal(1)
      expect(await locate(theirs, ids)).to.have.length(1)
    })

    it('lists the accounts that hold packs, in id order, a page at a time', async () => {
      const withPacks = [await givenAccount(h), await givenAccount(h), await givenAccount(h)].sort()
      await givenAccount(h)
      for (const accountId of withPacks) {
        const entries = entriesOf([100])
        await store(aPack(accountId, entries), entries)
      }
      expect(await right(h.snapshotAccounts.list(O.none, 2))).to.deep.equal(withPacks.slice(0, 2))
      expect(await right(h.snapshotAccounts.list(O.some(withPacks[1]!), 2))).to.deep.equal(withPacks.slice(2))
    })

    it('forgets packs and objects with their account', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100])
      const pack = aPack(accountId, entries)
      await store(pack, entries)
      await inTx(h, accountId, (tx) =>
        tx.snapshots.insert(aRecord(accountId), refsFor([entries[0]!.objectId])),
      )
      await right(h.accounts.delete(accountId))
      expect(await right(h.snapshotAccounts.list(O.none, 10))).to.deep.equal([])
      expect(
        await inTx(h, accountId, (tx) => tx.snapshotObjects.findPack(accountId, pack.packId)),
      ).to.deep.equal(O.none)
    })

    it('refuses a pack of an account that does not exist', async () => {
      const accountId = anAccountId()
      const entries = entriesOf([100])
      const failure = await left(
        h.unitOfWork.inAccount(accountId, (tx) =>
          tx.snapshotObjects.insertPack(aPack(accountId, entries), entries, at()),
        ),
      )
      expect(failure._tag).to.equal('Unavailable')
    })

    it('does nothing until the task is run', async () => {
      const accountId = await givenAccount(h)
      const entries = entriesOf([100])
      await inTx(h, accountId, (tx) => {
        void tx.snapshotObjects.insertPack(aPack(accountId, entries), entries, at())
        return tx.snapshotObjects.stats(accountId)
      })
      expect(await locate(accountId, [entries[0]!.objectId])).to.deep.equal([])
    })
  })

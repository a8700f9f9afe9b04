/**
 * The SnapshotStore contract (client/snapshot/store.ts), run against the in-memory twin and the SDK's HTTP store
 * over a real server: both must answer the engine the same way.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import {
  buildPack,
  MAX_HAS_IDS,
  type NewSnapshot,
  type ObjectId,
  type Pack,
  type SnapshotError,
  type SnapshotId,
  type SnapshotStore,
  snapshotSigningBytes,
  sortedRefs,
} from '../../../client/snapshot'

/** One fresh account's store, with what it takes to sign its snapshots. */
export type StoreUnderTest = Readonly<{
  store: SnapshotStore
  deviceId: string
  sign: (bytes: Uint8Array) => Promise<Uint8Array>
  /** Moves the store's clock on, so the next snapshot is received later. */
  tick: () => Promise<void>
}>

export type StoreHarness = Readonly<{ fresh: () => Promise<StoreUnderTest>; close: () => Promise<void> }>

const right = async <A>(task: () => Promise<E.Either<SnapshotError, A>>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw new Error(`unexpected Left: ${JSON.stringify(result.left)}`)
  return result.right
}
const left = async <A>(task: () => Promise<E.Either<SnapshotError, A>>): Promise<SnapshotError> => {
  const result = await task()
  if (E.isRight(result)) throw new Error('expected a Left')
  return result.left
}

const anId = (): ObjectId => randomBytes(32).toString('hex') as ObjectId
/** Random bytes standing for sealed objects (no store opens them), long enough to be one. */
const aPack = (count = 3, ids?: ReadonlyArray<ObjectId>): Pack =>
  buildPack(
    Array.from({ length: count }, (_, i) => ({
      id: ids?.[i] ?? anId(),
      bytes: new Uint8Array(randomBytes(200 + 37 * i)),
    })),
  )

const aSnapshot = async (
  s: StoreUnderTest,
  refs: ReadonlyArray<ObjectId>,
  seriesId = randomBytes(32).toString('hex'),
  snapshotId = randomUUID() as SnapshotId,
): Promise<NewSnapshot> => {
  const base = {
    snapshotId,
    seriesId,
    encryptedMetadata: new Uint8Array(randomBytes(512)),
    refs: sortedRefs(refs),
  }
  return { ...base, deviceId: s.deviceId, signature: await s.sign(snapshotSigningBytes(base)) }
}

export const snapshotStoreContract = (name: string, setUp: () => Promise<StoreHarness>): Mocha.Suite =>
  describe(`SnapshotStore contract (${name})`, function () {
    this.timeout(60_000)
    let harness: StoreHarness
    let s: StoreUnderTest
    before(async () => {
      harness = await setUp()
    })
    beforeEach(async () => {
      s = await harness.fresh()
    })
    after(() => harness.close())

    it('keeps one wrapped key: none at first, the same bytes again succeed, other bytes are refused', async () => {
      expect(O.isNone(await right(s.store.getKey()))).to.equal(true)
      const wrapped = new Uint8Array(randomBytes(60))
      await right(s.store.putKey(wrapped))
      await right(s.store.putKey(wrapped))
      expect((await left(s.store.putKey(new Uint8Array(randomBytes(60)))))._tag).to.equal('SnapshotKeyExists')
      expect(await right(s.store.getKey())).to.deep.equal(O.some(wrapped))
    })

    it('stores packs idempotently, answers `has` for present ids only, refuses another pack under a taken id', async () => {
      const pack = aPack()
      const stranger = anId()
      expect([...(await right(s.store.has([pack.entries[0]!.id, stranger])))]).to.deep.equal([])
      await right(s.store.putPack(pack))
      await right(s.store.putPack(pack))
      const present = await right(s.store.has([stranger, ...pack.entries.map((e) => e.id)]))
      expect([...present].sort()).to.deep.equal(pack.entries.map((e) => e.id).sort())
      const other = { ...aPack(), packId: pack.packId }
      expect(await left(s.store.putPack(other))).to.deep.equal({ _tag: 'PackExists', packId: pack.packId })
    })

    it('reads objects in request order, repeats included, byte for byte; a missing id fails before any byte', async () => {
      const pack = aPack(4)
      await right(s.store.putPack(pack))
      const bytesOf = (id: ObjectId) => {
        const e = pack.entries.find((x) => x.id === id)!
        return pack.bytes.slice(e.offset, e.offset + e.length)
      }
      const [a, b, c] = pack.entries.map((e) => e.id)
      const wanted = [c!, a!, c!, b!]
      const got: Array<{ id: string; bytes: Uint8Array }> = []
      for await (const o of await right(s.store.readObjects(wanted))) got.push(o)
      expect(got.map((o) => o.id)).to.deep.equal(wanted)
      got.forEach((o, i) =>
        expect(Buffer.from(o.bytes).equals(Buffer.from(bytesOf(wanted[i]!)))).to.equal(true),
      )
      const missing = anId()
      const error = await left(s.store.readObjects([a!, missing]))
      expect(error).to.deep.equal({ _tag: 'ObjectsMissing', ids: [missing] })
    })

    it('creates a snapshot only when its refs are stored; a retry returns the record; another under its id is refused', async () => {
      const pack = aPack(2)
      const missing = anId()
      const refs = pack.entries.map((e) => e.id)
      const early = await left(s.store.putSnapshot(await aSnapshot(s, [...refs, missing])))
      expect(early._tag).to.equal('ObjectsMissing')
      await right(s.store.putPack(pack))
      const snapshot = await aSnapshot(s, refs)
      const record = await right(s.store.putSnapshot(snapshot))
      expect(record).to.include({
        snapshotId: snapshot.snapshotId,
        seriesId: snapshot.seriesId,
        deviceId: s.deviceId,
        refCount: 2,
      })
      expect(Buffer.from(record.encryptedMetadata).equals(Buffer.from(snapshot.encryptedMetadata))).to.equal(
        true,
      )
      expect(Buffer.from(record.signature).equals(Buffer.from(snapshot.signature))).to.equal(true)
      expect(new Date(record.receivedAt).toISOString()).to.equal(record.receivedAt)
      expect(await right(s.store.putSnapshot(snapshot))).to.deep.equal(record)
      const other = await aSnapshot(s, [refs[0]!], undefined, snapshot.snapshotId)
      const taken = await left(s.store.putSnapshot(other))
      expect(taken).to.deep.equal({ _tag: 'SnapshotExists', id: snapshot.snapshotId })
      expect(await right(s.store.getSnapshot(snapshot.snapshotId))).to.deep.equal(O.some(record))
    })

    it('lists newest first in pages, by series; forgets; counts in stats', async () => {
      const pack = aPack(1)
      await right(s.store.putPack(pack))
      const series = randomBytes(32).toString('hex')
      const made: string[] = []
      for (let i = 0; i < 3; i++) {
        const snap = await aSnapshot(s, [pack.entries[0]!.id], i < 2 ? series : undefined)
        made.push((await right(s.store.putSnapshot(snap))).snapshotId)
        await s.tick()
      }
      const first = await right(s.store.listSnapshots({ limit: 2 }))
      expect(first.items.map((r) => r.snapshotId)).to.deep.equal([made[2], made[1]])
      expect(first.nextCursor).to.be.a('string')
      const second = await right(s.store.listSnapshots({ limit: 2, cursor: first.nextCursor! }))
      expect(second.items.map((r) => r.snapshotId)).to.deep.equal([made[0]])
      expect(second.nextCursor).to.equal(null)
      const bySeries = await right(s.store.listSnapshots({ seriesId: series }))
      expect(bySeries.items.map((r) => r.snapshotId)).to.deep.equal([made[1], made[0]])
      const stats = await right(s.store.stats())
      expect(stats).to.include({ objects: 1, packs: 1, snapshots: 3 })
      expect(stats.storedBytes).to.equal(pack.entries[0]!.length)
      expect(await right(s.store.deleteSnapshot(made[0] as SnapshotId))).to.equal(true)
      expect(await right(s.store.deleteSnapshot(made[0] as SnapshotId))).to.equal(false)
      expect(O.isNone(await right(s.store.getSnapshot(made[0] as SnapshotId)))).to.equal(true)
      expect((await right(s.store.stats())).snapshots).to.equal(2)
    })

    it('refuses more ids than a call may carry as StoreUnavailable, and runs nothing until the task runs', async () => {
      const ids = Array.from({ length: MAX_HAS_IDS + 1 }, anId)
      expect((await left(s.store.has(ids)))._tag).to.equal('StoreUnavailable')
      const lazy = s.store.putKey(new Uint8Array(randomBytes(60)))
      expect(O.isNone(await right(s.store.getKey()))).to.equal(true)
      await right(lazy)
      expect(O.isSome(await right(s.store.getKey()))).to.equal(true)
    })
  })

import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import sinon from 'sinon'
import type { inMemoryBlobStore } from '../../adapters/in-memory/in-memory-blob-store'
import { unavailable } from '../../application/errors'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import { inPieces, ok } from '../support/test-client'
import {
  aPackOf,
  aSnapshotCaller,
  aSnapshotInput,
  idsOf,
  packInput,
  type SnapshotCaller,
} from './snapshot-kit'

const hours = (n: number) => n * 60 * 60 * 1000

describe('snapshot garbage collection @memory', () => {
  let z: InMemoryZkeb
  let who: SnapshotCaller
  const blobIds = () => (z.ports.blobs as ReturnType<typeof inMemoryBlobStore>).entries().map((b) => b.blobId)
  const upload = async (lengths: number[]) => {
    const pack = aPackOf(lengths)
    await ok(z.useCases.putPack(packInput(pack), inPieces(pack.bytes), who.caller))
    return idsOf(pack)
  }
  const held = async (ids: ReadonlyArray<string>) =>
    (await ok(z.useCases.hasObjects({ ids: ids as never }, who.caller))).present
  const collect = (graceSeconds?: number) =>
    ok(z.useCases.collectSnapshotGarbage(graceSeconds === undefined ? {} : { graceSeconds }))

  afterEach(() => sinon.restore())
  beforeEach(async () => {
    z = await inMemoryZkeb()
    who = await aSnapshotCaller(z)
  })

  it('keeps referenced and recently claimed objects, removes the others once past 48 hours, then empty packs', async () => {
    const [referenced, loose] = await upload([100, 100])
    const [orphan] = await upload([100])
    const [claimedLater] = await upload([100])
    await ok(z.useCases.createSnapshot(aSnapshotInput(who, [referenced!]), who.caller))
    expect(blobIds()).to.have.length(3)

    z.clock.advance(hours(47))
    expect(await collect()).to.deep.equal({ accounts: 1, objects: 0, packs: 0 })
    await held([claimedLater!])
    z.clock.advance(hours(2))
    expect(await collect()).to.deep.equal({ accounts: 1, objects: 2, packs: 1 })
    const all = [referenced!, loose!, orphan!, claimedLater!]
    expect(await held(all)).to.deep.equal([referenced, claimedLater])
    expect(blobIds()).to.have.length(2)
  })

  it('takes the grace period from the settings, or from the operator', async () => {
    await upload([100])
    z.clock.advance(hours(1))
    expect(await collect()).to.deep.equal({ accounts: 1, objects: 0, packs: 0 })
    expect(await collect(60)).to.deep.equal({ accounts: 1, objects: 1, packs: 1 })
  })

  it('leaves a pack blob whose deletion failed to the blob collector: the pack row goes first', async () => {
    await upload([100])
    z.clock.advance(hours(49))
    const failing = sinon
      .stub(z.ports.blobs, 'delete')
      .returns(TE.left(unavailable('blobs')(new Error('down'))))
    const failed = await z.useCases.collectSnapshotGarbage()()
    expect(E.isLeft(failed)).to.equal(true)
    failing.restore()
    expect(await collect()).to.deep.equal({ accounts: 0, objects: 0, packs: 0 })
    expect(blobIds()).to.have.length(1)
    expect(await ok(z.useCases.collectGarbageBlobs({ graceSeconds: 60 }))).to.deep.equal({
      unreferenced: 1,
      collected: 1,
    })
    expect(blobIds()).to.deep.equal([])
  })

  it('never collects a snapshot’s objects while it exists, and collects them once it is forgotten', async () => {
    const ids = await upload([100, 100])
    const input = aSnapshotInput(who, ids)
    await ok(z.useCases.createSnapshot(input, who.caller))
    z.clock.advance(hours(100))
    expect(await collect()).to.deep.equal({ accounts: 1, objects: 0, packs: 0 })
    await ok(z.useCases.deleteSnapshot({ snapshotId: input.snapshotId }, who.caller))
    expect(await collect()).to.deep.equal({ accounts: 1, objects: 2, packs: 1 })
    expect((await ok(z.useCases.getSnapshotStats(who.caller))).storedBytes).to.equal(0)
  })
})

import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import sinon from 'sinon'
import type { Caller } from '../../application/context'
import { unavailable } from '../../application/errors'
import type { Backup } from '../../domain/backup'
import type { BlobId } from '../../domain/ids'
import { seconds } from '../support/controllable-clock'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import {
  addDevice,
  anUpload,
  callerFor,
  type DeviceKey,
  fails,
  inPieces,
  ok,
  register,
} from '../support/test-client'

const grace = seconds(24 * 60 * 60)
const nothing = { unreferenced: 0, collected: 0 }

describe('blob garbage collection @memory', () => {
  let z: InMemoryZkeb
  let caller: Caller
  let key: DeviceKey
  let deviceId: Backup['deviceId']

  const uploaded = async () => {
    const up = anUpload(deviceId, key, { content: randomBytes(1000) })
    return (await ok(z.useCases.uploadBackup(up.input, inPieces(up.content), caller))).backup
  }
  /** What a crash between an upload's write and its commit leaves: a blob no record names. */
  const orphan = async (who: Caller = caller): Promise<BlobId> => {
    const blobId = randomUUID() as BlobId
    await ok(z.ports.blobs.write(who.accountId, blobId, inPieces(randomBytes(10))))
    return blobId
  }
  const readable = (who: Caller, blobId: BlobId) =>
    (async () => {
      for await (const _ of z.ports.blobs.read(who.accountId, blobId));
    })().then(
      () => true,
      () => false,
    )

  afterEach(() => sinon.restore())
  beforeEach(async () => {
    z = await inMemoryZkeb()
    caller = await callerFor(z.useCases, await register(z.useCases))
    ;({
      device: { deviceId },
      key,
    } = await addDevice(z.useCases, caller))
  })

  it('deletes only unreferenced blobs older than the grace period, across pages and accounts', async () => {
    const other = await callerFor(z.useCases, await register(z.useCases))
    const live = await uploaded()
    const trashed = await uploaded()
    await ok(z.useCases.trashBackup({ backupId: trashed.backupId }, caller))
    const orphans = [await orphan(other)]
    for (let i = 0; i < 600; i++) orphans.push(await orphan()) // more than one page of 500
    expect(await ok(z.useCases.collectGarbageBlobs())).to.deep.equal(nothing)
    z.clock.advance(grace - 1)
    const young = await orphan() // an upload still in flight, or about to commit
    expect(await ok(z.useCases.collectGarbageBlobs())).to.deep.equal(nothing)
    z.clock.advance(1)
    expect(await ok(z.useCases.collectGarbageBlobs())).to.deep.equal({
      unreferenced: orphans.length,
      collected: orphans.length,
    })
    expect(await readable(other, orphans[0]!)).to.equal(false)
    expect(await readable(caller, orphans[600]!)).to.equal(false)
    expect(await readable(caller, live.blobId)).to.equal(true)
    expect(await readable(caller, trashed.blobId)).to.equal(true)
    expect(await readable(caller, young)).to.equal(true)
    expect(await ok(z.useCases.collectGarbageBlobs())).to.deep.equal(nothing)
  })

  it('with options: counts without deleting on a dry run, reports progress per page, takes a shorter grace', async () => {
    const orphans: BlobId[] = []
    for (let i = 0; i < 501; i++) orphans.push(await orphan())
    z.clock.advance(seconds(60))
    expect(await ok(z.useCases.collectGarbageBlobs({ graceSeconds: 61 }))).to.deep.equal(nothing)
    const seen: unknown[] = []
    const dry = { graceSeconds: 60, dryRun: true, onProgress: (p: unknown) => seen.push(p) }
    expect(await ok(z.useCases.collectGarbageBlobs(dry))).to.deep.equal({ unreferenced: 501, collected: 0 })
    expect(seen).to.deep.equal([
      { unreferenced: 500, collected: 0 },
      { unreferenced: 501, collected: 0 },
    ])
    expect(await readable(caller, orphans[0]!)).to.equal(true)
    expect(await ok(z.useCases.collectGarbageBlobs({ graceSeconds: 60 }))).to.deep.equal({
      unreferenced: 501,
      collected: 501,
    })
    expect(await readable(caller, orphans[500]!)).to.equal(false)
  })

  it('stops at the first failure and reports it', async () => {
    await orphan()
    z.clock.advance(grace)
    const down = unavailable('blobs')(new Error('down'))
    sinon.stub(z.ports.blobs, 'delete').returns(TE.left(down))
    expect(await fails(z.useCases.collectGarbageBlobs())).to.deep.equal(down)
  })
})

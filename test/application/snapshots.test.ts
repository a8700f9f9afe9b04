import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { inMemoryBlobStore } from '../../adapters/in-memory/in-memory-blob-store'
import type { BlobStore } from '../../application/ports/blob-store'
import { badSignature, contentHashMismatch, deviceRevoked, invalidProtocolMessage } from '../../domain/errors'
import {
  badPack,
  packExists,
  refsMissing,
  snapshotExists,
  snapshotNotFound,
} from '../../domain/snapshot-errors'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import { aDeviceKey, fails, inPieces, ok } from '../support/test-client'
import {
  aPackOf,
  aSnapshotCaller,
  aSnapshotInput,
  idsOf,
  packInput,
  type SnapshotCaller,
} from './snapshot-kit'

type MemoryBlobs = ReturnType<typeof inMemoryBlobStore>

describe('snapshot use cases @memory', () => {
  let z: InMemoryZkeb
  let who: SnapshotCaller
  const blobCount = () => (z.ports.blobs as MemoryBlobs).entries().length
  beforeEach(async () => {
    z = await inMemoryZkeb()
    who = await aSnapshotCaller(z)
  })

  describe('putPack', () => {
    it('parses a header that arrives a byte at a time, and indexes the pack', async () => {
      const pack = aPackOf([100, 200])
      const out = await ok(z.useCases.putPack(packInput(pack), inPieces(pack.bytes, 1), who.caller))
      expect(out).to.deep.include({ created: true, newObjects: 2, newBytes: 300 })
      expect(await ok(z.useCases.hasObjects({ ids: idsOf(pack) }, who.caller))).to.deep.equal({
        present: idsOf(pack),
      })
    })

    it('answers a retry without reading the body, and refuses the id with other bytes', async () => {
      const pack = aPackOf([100])
      await ok(z.useCases.putPack(packInput(pack), inPieces(pack.bytes), who.caller))
      let pulled = 0
      async function* counted() {
        pulled++
        yield await Promise.resolve(pack.bytes)
      }
      expect(await ok(z.useCases.putPack(packInput(pack), counted(), who.caller))).to.include({
        created: false,
      })
      expect(pulled).to.equal(0)
      const other = aPackOf([100])
      expect(
        await fails(
          z.useCases.putPack(packInput({ ...other, packId: pack.packId }), inPieces(other.bytes), who.caller),
        ),
      ).to.deep.equal(packExists(pack.packId as never))
      expect(blobCount()).to.equal(1)
    })

    it('stops reading at a bad header and keeps no blob', async () => {
      const pack = aPackOf([50_000, 50_000])
      const bytes = pack.bytes.slice()
      bytes[4] = 9
      let pulled = 0
      async function* slowly() {
        for (let at = 0; at < bytes.length; at += 1000) {
          pulled++
          yield await Promise.resolve(bytes.subarray(at, at + 1000))
        }
      }
      const refused = await fails(z.useCases.putPack(packInput({ ...pack, bytes }), slowly(), who.caller))
      expect(refused).to.deep.equal(badPack('version'))
      expect(pulled).to.equal(1)
      expect(blobCount()).to.equal(0)
    })

    it('refuses a body that does not match its hash, keeping nothing', async () => {
      const pack = aPackOf([100])
      const input = { ...packInput(pack), contentSha256: 'c'.repeat(64) } as never
      expect(await fails(z.useCases.putPack(input, inPieces(pack.bytes), who.caller))).to.deep.equal(
        contentHashMismatch,
      )
      expect(blobCount()).to.equal(0)
      expect((await ok(z.useCases.getSnapshotStats(who.caller))).packs).to.equal(0)
    })

    it('refuses new bytes over the quota and deletes the blob; what is already held passes', async () => {
      const held = aPackOf([100])
      await ok(z.useCases.putPack(packInput(held), inPieces(held.bytes), who.caller))
      await ok(
        z.admin.setAccountQuota({ accountId: who.caller.accountId }, 150, { requestId: 'zkeb-admin:test' }),
      )
      const over = aPackOf([100])
      const refused = await fails(z.useCases.putPack(packInput(over), inPieces(over.bytes), who.caller))
      expect(refused).to.deep.include({ _tag: 'QuotaExceeded', limitBytes: 150, usedBytes: 100 })
      expect(blobCount()).to.equal(1)
      const again = aPackOf([100], idsOf(held))
      expect(await ok(z.useCases.putPack(packInput(again), inPieces(again.bytes), who.caller))).to.include({
        newBytes: 0,
      })
    })
  })

  describe('createSnapshot', () => {
    const stored = async (lengths: number[]) => {
      const pack = aPackOf(lengths)
      await ok(z.useCases.putPack(packInput(pack), inPieces(pack.bytes), who.caller))
      return idsOf(pack)
    }

    it('creates once, at the clock’s time, records snapshot-created; a retry returns the record', async () => {
      const ids = await stored([100, 100])
      const input = aSnapshotInput(who, ids)
      const created = await ok(z.useCases.createSnapshot(input, who.caller))
      expect(created.created).to.equal(true)
      expect(created.record.receivedAt).to.deep.equal(z.clock.now())
      z.clock.advance(5000)
      expect(await ok(z.useCases.createSnapshot(input, who.caller))).to.deep.equal({
        record: created.record,
        created: false,
      })
      const audit = await ok(z.useCases.listAudit({ limit: 200 } as never, who.caller))
      expect(audit.items.filter((e) => e.type === 'snapshot-created')).to.have.length(1)
    })

    it('refuses refs that are not sorted, unique and refCount long', async () => {
      const ids = await stored([100, 100])
      const input = aSnapshotInput(who, ids)
      const reversed = new Uint8Array([...input.refs.subarray(32), ...input.refs.subarray(0, 32)])
      expect(await fails(z.useCases.createSnapshot({ ...input, refs: reversed }, who.caller))).to.deep.equal(
        invalidProtocolMessage('refs'),
      )
      expect(
        await fails(z.useCases.createSnapshot({ ...input, refCount: 3 } as never, who.caller)),
      ).to.deep.equal(invalidProtocolMessage('refs'))
    })

    it('refuses a signature of another key, a revoked device, missing refs, and another snapshot under the id', async () => {
      const ids = await stored([100])
      expect(
        await fails(z.useCases.createSnapshot(aSnapshotInput(who, ids, {}, aDeviceKey()), who.caller)),
      ).to.deep.equal(badSignature)
      const absent = randomBytes(32).toString('hex')
      const missing = await fails(
        z.useCases.createSnapshot(aSnapshotInput(who, [...ids, absent]), who.caller),
      )
      expect(missing).to.deep.equal(refsMissing([absent as never], 1))
      const first = aSnapshotInput(who, ids)
      await ok(z.useCases.createSnapshot(first, who.caller))
      const second = aSnapshotInput(who, ids, { snapshotId: first.snapshotId })
      expect(await fails(z.useCases.createSnapshot(second, who.caller))).to.deep.equal(
        snapshotExists(first.snapshotId),
      )
      await ok(z.useCases.revokeDevice({ deviceId: who.deviceId } as never, who.caller))
      expect(await fails(z.useCases.createSnapshot(aSnapshotInput(who, ids), who.caller))).to.deep.equal(
        deviceRevoked(who.deviceId as never),
      )
    })
  })

  describe('readObjects', () => {
    it('reads objects lying end to end in one pack with one blob read, and the others one read each', async () => {
      const reads: number[] = []
      const blobs = inMemoryBlobStore(() => z.clock.now())
      const counting: BlobStore = {
        ...blobs,
        read: (a, b, range) => (reads.push(1), blobs.read(a, b, range)),
      }
      z = await inMemoryZkeb({ blobs: counting })
      who = await aSnapshotCaller(z)
      const pack = aPackOf([100, 200, 300, 400])
      await ok(z.useCases.putPack(packInput(pack), inPieces(pack.bytes), who.caller))
      const [a, b, c, d] = idsOf(pack)
      const read = await ok(z.useCases.readObjects({ ids: [a!, b!, c!, a!, d!] }, who.caller))
      const chunks: Uint8Array[] = []
      for await (const chunk of read.content) chunks.push(chunk)
      expect(Buffer.concat(chunks).length).to.equal(read.contentLength)
      expect(read.contentLength).to.equal(5 * 36 + 100 + 200 + 300 + 100 + 400)
      expect(reads).to.have.length(3) // a b c, then a, then d
    })
  })

  describe('getSnapshot, deleteSnapshot, getSnapshotRefs', () => {
    it('forgets a snapshot once, records snapshot-deleted, and then finds it no more', async () => {
      const pack = aPackOf([100])
      await ok(z.useCases.putPack(packInput(pack), inPieces(pack.bytes), who.caller))
      const input = aSnapshotInput(who, idsOf(pack))
      await ok(z.useCases.createSnapshot(input, who.caller))
      const refs = await ok(z.useCases.getSnapshotRefs({ snapshotId: input.snapshotId }, who.caller))
      const chunks: Uint8Array[] = []
      for await (const chunk of refs.content) chunks.push(chunk)
      expect(Buffer.concat(chunks).equals(Buffer.from(input.refs))).to.equal(true)
      await ok(z.useCases.deleteSnapshot({ snapshotId: input.snapshotId }, who.caller))
      expect(
        await fails(z.useCases.deleteSnapshot({ snapshotId: input.snapshotId }, who.caller)),
      ).to.deep.equal(snapshotNotFound(input.snapshotId))
      expect(await fails(z.useCases.getSnapshot({ snapshotId: input.snapshotId }, who.caller))).to.deep.equal(
        snapshotNotFound(input.snapshotId),
      )
      const audit = await ok(z.useCases.listAudit({ limit: 200 } as never, who.caller))
      expect(audit.items.map((e) => e.type)).to.include('snapshot-deleted')
    })
  })

  describe('the snapshot key', () => {
    it('is stored once per account and rewrapped by key rotations', async () => {
      const wrappedKey = randomBytes(60).toString('base64url') as never
      expect(await ok(z.useCases.putSnapshotKey({ wrappedKey }, who.caller))).to.include({ created: true })
      expect(await ok(z.useCases.putSnapshotKey({ wrappedKey }, who.caller))).to.include({ created: false })
      const account = await ok(z.useCases.getAccount(who.caller))
      const rotation = {
        expectedVersion: account.keyBundleVersion,
        keyBundle: account.keyBundle,
        wrappedKeys: [],
      }
      expect(await fails(z.useCases.rotateKeys(rotation as never, who.caller))).to.deep.equal({
        _tag: 'SnapshotKeyNotRotated',
      })
      const snapshotKey = randomBytes(60).toString('base64url')
      await ok(z.useCases.rotateKeys({ ...rotation, snapshotKey } as never, who.caller))
      expect((await ok(z.useCases.getSnapshotKey(who.caller))).wrappedKey).to.equal(snapshotKey)
    })
  })
})

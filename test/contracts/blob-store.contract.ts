/** The BlobStore contract, run against every adapter. */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { BlobRef, ByteRange } from '../../application/ports/blob-store'
import type { AccountId, BlobId } from '../../domain/ids'
import { aBlobId, anAccountId, inPieces } from '../support/persistence-builders'
import { type BlobStoreHarness, left, right } from './harness'

const MiB = 1024 * 1024

const collect = async (chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; pieces: number }> => {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return { bytes: Buffer.concat(parts), pieces: parts.length }
}

const readFails = async (chunks: AsyncIterable<Uint8Array>): Promise<boolean> =>
  collect(chunks).then(
    () => false,
    () => true,
  )

export const blobStoreContract = (name: string, setUp: () => Promise<BlobStoreHarness>): Mocha.Suite =>
  describe(`BlobStore contract (${name})`, () => {
    let h: BlobStoreHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenBlob = async (
      bytes: Uint8Array,
      pieceSize = 100_003,
    ): Promise<{ accountId: AccountId; blobId: BlobId }> => {
      const accountId = anAccountId()
      await h.givenAccount(accountId)
      const blobId = aBlobId()
      expect(await right(h.blobs.write(accountId, blobId, inPieces(bytes, pieceSize)))).to.deep.equal({
        sizeBytes: bytes.length,
      })
      return { accountId, blobId }
    }

    it('streams several MiB in and out, byte for byte, in more than one chunk', async () => {
      const bytes = randomBytes(3 * MiB + 12_345)
      const { accountId, blobId } = await givenBlob(bytes)
      const { bytes: read, pieces } = await collect(h.blobs.read(accountId, blobId))
      expect(read.equals(bytes)).to.equal(true)
      expect(pieces).to.be.greaterThan(1)
    })

    it('returns exactly the requested inclusive ranges, across chunk boundaries', async () => {
      const bytes = randomBytes(2 * MiB + 777)
      const { accountId, blobId } = await givenBlob(bytes, 65_537)
      const ranges: ByteRange[] = [
        { start: 0, end: 0 },
        { start: 0, end: 99 },
        { start: 65_530, end: 65_545 },
        { start: 256 * 1024 - 3, end: 256 * 1024 + 2 },
        { start: 100_000, end: MiB + 17 },
        { start: 2 * MiB, end: 2 * MiB + 776 },
        { start: bytes.length - 1, end: bytes.length - 1 },
      ]
      for (const range of ranges) {
        const { bytes: read } = await collect(h.blobs.read(accountId, blobId, range))
        expect(read.equals(bytes.subarray(range.start, range.end + 1)), JSON.stringify(range)).to.equal(true)
      }
    })

    it('stores an empty blob', async () => {
      const { accountId, blobId } = await givenBlob(new Uint8Array(0))
      expect((await collect(h.blobs.read(accountId, blobId))).bytes.length).to.equal(0)
    })

    it('keeps nothing of a blob whose input stream throws, and returns that error as Unavailable', async () => {
      const accountId = anAccountId()
      await h.givenAccount(accountId)
      const blobId = aBlobId()
      const clientGone = new Error('client went away')
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield* inPieces(randomBytes(MiB + 5), 70_000)
        throw clientGone
      }
      const failure = await left(h.blobs.write(accountId, blobId, failing()))
      expect(failure).to.include({ _tag: 'Unavailable', cause: clientGone })
      expect(await readFails(h.blobs.read(accountId, blobId))).to.equal(true)
      const retried = randomBytes(1000)
      expect(await right(h.blobs.write(accountId, blobId, inPieces(retried, 300)))).to.deep.equal({
        sizeBytes: 1000,
      })
      expect((await collect(h.blobs.read(accountId, blobId))).bytes.equals(retried)).to.equal(true)
    })

    it('does not serve a blob to another account, nor one that does not exist', async () => {
      const { blobId } = await givenBlob(randomBytes(100))
      const other = anAccountId()
      await h.givenAccount(other)
      expect(await readFails(h.blobs.read(other, blobId))).to.equal(true)
      expect(await readFails(h.blobs.read(other, aBlobId()))).to.equal(true)
    })

    it('deletes a blob', async () => {
      const { accountId, blobId } = await givenBlob(randomBytes(300_000))
      await right(h.blobs.delete(accountId, blobId))
      expect(await readFails(h.blobs.read(accountId, blobId))).to.equal(true)
    })

    it("deletes every blob of an account and nothing of another's", async () => {
      const gone = await givenBlob(randomBytes(100))
      const kept = await givenBlob(randomBytes(100))
      const second = aBlobId()
      await right(h.blobs.write(gone.accountId, second, inPieces(randomBytes(10), 10)))
      await right(h.blobs.deleteAccount(gone.accountId))
      expect(await readFails(h.blobs.read(gone.accountId, gone.blobId))).to.equal(true)
      expect(await readFails(h.blobs.read(gone.accountId, second))).to.equal(true)
      expect((await collect(h.blobs.read(kept.accountId, kept.blobId))).bytes.length).to.equal(100)
    })

    /** Every page of the listing, `pageSize` at a time, each page resuming after the last blob of the one before. */
    const listAll = async (cutoff: Date, pageSize: number): Promise<BlobRef[]> => {
      const all: BlobRef[] = []
      for (;;) {
        const after = all.length === 0 ? O.none : O.some(all[all.length - 1]!)
        const page = await right(h.blobs.listOlderThan(cutoff, after, pageSize))
        expect(page.length).to.be.at.most(pageSize)
        all.push(...page)
        if (page.length < pageSize) return all
      }
    }
    const byKey = (a: BlobRef, b: BlobRef) =>
      `${a.accountId}/${a.blobId}` < `${b.accountId}/${b.blobId}` ? -1 : 1
    const inAFewMinutes = () => new Date(Date.now() + 5 * 60_000)

    it('lists the blobs of every account stored before the cutoff, in (account, blob) order, page by page', async () => {
      const first = await givenBlob(randomBytes(10))
      const second = await givenBlob(randomBytes(10))
      const more = [aBlobId(), aBlobId(), aBlobId()]
      for (const blobId of more)
        await right(h.blobs.write(first.accountId, blobId, inPieces(randomBytes(5), 5)))
      const expected = [first, second, ...more.map((blobId) => ({ accountId: first.accountId, blobId }))]
      expected.sort(byKey)
      expect(await listAll(inAFewMinutes(), 2)).to.deep.equal(expected)
      expect(await listAll(inAFewMinutes(), 100)).to.deep.equal(expected)
      expect(await right(h.blobs.listOlderThan(inAFewMinutes(), O.some(expected[4]!), 10))).to.deep.equal([])
    })

    it('does not list blobs stored after the cutoff, deleted ones or failed writes', async () => {
      const before = new Date(Date.now() - 5 * 60_000)
      const kept = await givenBlob(randomBytes(10))
      const deleted = await givenBlob(randomBytes(10))
      await right(h.blobs.delete(deleted.accountId, deleted.blobId))
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield* inPieces(randomBytes(10), 10)
        throw new Error('client went away')
      }
      await left(h.blobs.write(kept.accountId, aBlobId(), failing()))
      expect(await listAll(before, 10)).to.deep.equal([])
      expect(await listAll(inAFewMinutes(), 10)).to.deep.equal([kept])
    })

    it('does nothing until the task is run or the content pulled', async () => {
      const accountId = anAccountId()
      await h.givenAccount(accountId)
      let pulled = false
      async function* watched(): AsyncGenerator<Uint8Array> {
        pulled = true
        yield* inPieces(randomBytes(10), 10)
      }
      const write = h.blobs.write(accountId, aBlobId(), watched())
      h.blobs.read(accountId, aBlobId())
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(pulled).to.equal(false)
      await right(write)
      expect(pulled).to.equal(true)
    })
  })

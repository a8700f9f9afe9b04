import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { defaultChunkSize, knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import { left, right } from '../../contracts/harness'
import type { BlobId } from '../../../domain/ids'
import { aBlobId, anAccount, inPieces } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

describe('knex blob store', () => {
  let db: TestDatabase
  const account = anAccount()
  before(async () => {
    db = await createTestDatabase()
    await right(knexAccountRepository(db.appKnex).create(account))
  })
  after(() => db.drop())

  const chunkLengths = (blobId: string) =>
    db
      .ownerKnex('zkeb.blob_chunks')
      .where({ blob_id: blobId })
      .orderBy('seq')
      .select<Array<{ length: number }>>(db.ownerKnex.raw('length(data) as length'))

  it('re-chunks any input into fixed-size chunks, only the last one shorter', async () => {
    const blobId = aBlobId()
    await right(
      knexBlobStore(db.appKnex).write(
        account.accountId,
        blobId,
        inPieces(randomBytes(3 * defaultChunkSize + 10), 70_001),
      ),
    )
    expect((await chunkLengths(blobId)).map((c) => c.length)).to.deep.equal([
      defaultChunkSize,
      defaultChunkSize,
      defaultChunkSize,
      10,
    ])
  })

  /** How many transactions `work` committed. */
  const transactionsDuring = async (work: () => Promise<unknown>): Promise<number> => {
    let count = 0
    const onQuery = (q: { sql?: string }) => {
      if (/^commit\b/i.test(q.sql ?? '')) count++
    }
    db.appKnex.on('query', onQuery)
    try {
      await work()
    } finally {
      db.appKnex.off('query', onQuery)
    }
    return count
  }

  const readBack = async (blobId: BlobId): Promise<Buffer> => {
    const parts: Uint8Array[] = []
    for await (const part of knexBlobStore(db.appKnex).read(account.accountId, blobId)) parts.push(part)
    return Buffer.concat(parts)
  }

  it('stores a blob that fits one chunk in one transaction, complete, however its pieces arrive', async () => {
    for (const [length, piece] of [
      [4096, 4096],
      [10_000, 3000],
      [defaultChunkSize, 100_000],
    ] as const) {
      const bytes = randomBytes(length)
      const blobId = aBlobId()
      const transactions = await transactionsDuring(() =>
        right(knexBlobStore(db.appKnex).write(account.accountId, blobId, inPieces(bytes, piece))),
      )
      expect(transactions, `${length} bytes in pieces of ${piece}`).to.equal(1)
      expect((await readBack(blobId)).equals(bytes)).to.equal(true)
      expect(
        await db.ownerKnex('zkeb.blobs').where({ blob_id: blobId }).first('size_bytes', 'complete'),
      ).to.deep.equal({
        size_bytes: length,
        complete: true,
      })
    }
  })

  it('goes on in chunks once the input outgrows the first one, whatever the first piece was', async () => {
    for (const pieces of [[10, defaultChunkSize], [defaultChunkSize - 1, 2], [defaultChunkSize + 1]]) {
      const bytes = randomBytes(pieces.reduce((a, b) => a + b, 0))
      async function* given(): AsyncGenerator<Uint8Array> {
        let at = 0
        for (const length of pieces) {
          await new Promise((resolve) => setImmediate(resolve))
          yield bytes.subarray(at, at + length)
          at += length
        }
      }
      const blobId = aBlobId()
      await right(knexBlobStore(db.appKnex).write(account.accountId, blobId, given()))
      expect((await chunkLengths(blobId)).map((c) => c.length)).to.deep.equal([
        defaultChunkSize,
        bytes.length - defaultChunkSize,
      ])
      expect((await readBack(blobId)).equals(bytes)).to.equal(true)
    }
  })

  it('leaves nothing behind, and opens no transaction, when a small input throws before it ends', async () => {
    const blobId = aBlobId()
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(100)
      await new Promise((resolve) => setImmediate(resolve))
      throw new Error('client went away')
    }
    let failure: unknown
    const transactions = await transactionsDuring(async () => {
      failure = await left(knexBlobStore(db.appKnex).write(account.accountId, blobId, failing()))
    })
    expect(failure).to.include({ _tag: 'Unavailable', dependency: 'blobs' })
    expect(transactions).to.equal(0)
    expect(await db.ownerKnex('zkeb.blobs').where({ blob_id: blobId }).select('blob_id')).to.deep.equal([])
  })

  it('leaves no blob row and no chunk row behind when the input throws mid-way', async () => {
    const blobId = aBlobId()
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* inPieces(randomBytes(2 * defaultChunkSize + 5), 100_000)
      throw new Error('client went away')
    }
    expect((await left(knexBlobStore(db.appKnex).write(account.accountId, blobId, failing())))._tag).to.equal(
      'Unavailable',
    )
    expect(await chunkLengths(blobId)).to.deep.equal([])
    expect(await db.ownerKnex('zkeb.blobs').where({ blob_id: blobId }).select('blob_id')).to.deep.equal([])
  })

  it('reports a write failed when the blob was deleted (garbage-collected) while it was arriving', async () => {
    const blobId = aBlobId()
    const store = knexBlobStore(db.appKnex)
    async function* collectedMidway(): AsyncGenerator<Uint8Array> {
      // Whole chunks only: every chunk is stored before the deletion, so only the final step can notice it.
      yield* inPieces(randomBytes(2 * defaultChunkSize), 65_536)
      await right(store.delete(account.accountId, blobId))
    }
    expect((await left(store.write(account.accountId, blobId, collectedMidway())))._tag).to.equal(
      'Unavailable',
    )
    expect(await db.ownerKnex('zkeb.blobs').where({ blob_id: blobId }).select('blob_id')).to.deep.equal([])
  })

  it('does not serve a blob while it is still being written', async () => {
    const blobId = aBlobId()
    const store = knexBlobStore(db.appKnex, 16)
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield randomBytes(40)
      await gate
    }
    const writing = store.write(account.accountId, blobId, slow())()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const read = await Promise.resolve(
      store.read(account.accountId, blobId)[Symbol.asyncIterator]().next(),
    ).then(
      () => 'served',
      () => 'refused',
    )
    release()
    await writing
    expect(read).to.equal('refused')
  })

  it('reports a database it cannot reach as Unavailable', async () => {
    const closed = await createTestDatabase()
    await closed.drop()
    const failure = await left(knexBlobStore(closed.appKnex).delete(account.accountId, aBlobId()))
    expect(failure).to.include({ _tag: 'Unavailable', dependency: 'postgres' })
  })
})

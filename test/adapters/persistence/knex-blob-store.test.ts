import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { defaultChunkSize, knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import { left, right } from '../../contracts/harness'
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

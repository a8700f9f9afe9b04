/**
 * The knex blob store's batched chunk writes against a real PostgreSQL, as the application role: a quick upload
 * shares transactions between chunks, a paused one gives its connection back, and what is stored is what came.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { samplePool } from '../../../../adapters/persistence/knex/instrument-knex'
import { knexAccountRepository } from '../../../../adapters/persistence/knex/knex-account-repository'
import { defaultChunkSize, knexBlobStore } from '../../../../adapters/persistence/knex/knex-blob-store'
import { right } from '../../../contracts/harness'
import { aBlobId, anAccount, inPieces } from '../../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../../support/postgres'

const collect = async (pieces: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const piece of pieces) parts.push(piece)
  return Buffer.concat(parts)
}

describe('knex blob store: batched chunk writes', () => {
  let db: TestDatabase
  const account = anAccount()
  before(async () => {
    db = await createTestDatabase()
    await right(knexAccountRepository(db.appKnex).create(account))
  })
  after(() => db.drop())

  /**
   * How many transactions `work` committed. (Not set_config: the account-scoped client sends it with BEGIN,
   * outside knex's query events, so counting it counted nothing.)
   */
  const transactionsDuring = async (work: () => Promise<unknown>): Promise<number> => {
    let count = 0
    const onQuery = (q: { sql?: string }) => {
      if (/^commit\b/i.test(q.sql ?? '')) count++
    }
    db.appKnex.on('query', onQuery)
    await work()
    db.appKnex.off('query', onQuery)
    return count
  }

  it('stores the chunks of a quick upload several to a transaction, byte for byte', async () => {
    const bytes = randomBytes(16 * defaultChunkSize + 3)
    const blobId = aBlobId()
    const store = knexBlobStore(db.appKnex)
    const transactions = await transactionsDuring(() =>
      right(store.write(account.accountId, blobId, inPieces(bytes, 64 * 1024))),
    )
    // 17 chunks: one transaction each would be 19 with the blob row's creation and completion.
    expect(transactions).to.be.greaterThan(0).and.lessThan(10)
    expect((await collect(store.read(account.accountId, blobId))).equals(bytes)).to.equal(true)
  })

  it('gives its connection back while the input pauses, and goes on after', async () => {
    const bytes = randomBytes(3 * defaultChunkSize)
    const blobId = aBlobId()
    let poolWhilePaused = -1
    async function* pausing(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 2 * defaultChunkSize)
      for (let waited = 0; waited < 100 && samplePool(db.appKnex).active > 0; waited++)
        await new Promise((resolve) => setTimeout(resolve, 50))
      poolWhilePaused = samplePool(db.appKnex).active
      yield bytes.subarray(2 * defaultChunkSize)
    }
    const store = knexBlobStore(db.appKnex)
    expect(await right(store.write(account.accountId, blobId, pausing()))).to.deep.equal({
      sizeBytes: bytes.length,
    })
    expect(poolWhilePaused).to.equal(0)
    expect((await collect(store.read(account.accountId, blobId))).equals(bytes)).to.equal(true)
  })
})

/**
 * The knex blob store's binary-COPY read path against a real PostgreSQL, as the application role: what the
 * contract suite cannot see (row-level security on the COPY itself, connections after an abandoned download,
 * query metrics). The binary COPY parser's own tests are in pg-session/binary-copy-fields.test.ts.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { copyBlobRange } from '../../../adapters/persistence/knex/copy-blob-chunks'
import { measureQueries, samplePool } from '../../../adapters/persistence/knex/instrument-knex'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { defaultChunkSize, knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import { right } from '../../contracts/harness'
import { aBlobId, anAccount, inPieces } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const collect = async (pieces: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const piece of pieces) parts.push(piece)
  return Buffer.concat(parts)
}

describe('knex blob store: reads by binary COPY', () => {
  let db: TestDatabase
  const owner = anAccount()
  const other = anAccount()
  const bytes = randomBytes(5 * 1024 * 1024 + 99)
  const blobId = aBlobId()
  before(async () => {
    db = await createTestDatabase()
    await right(knexAccountRepository(db.appKnex).create(owner))
    await right(knexAccountRepository(db.appKnex).create(other))
    await right(knexBlobStore(db.appKnex).write(owner.accountId, blobId, inPieces(bytes, 100_000)))
  })
  after(() => db.drop())

  const range = (accountId: typeof owner.accountId, start: number, end: number) =>
    copyBlobRange(db.appKnex, { accountId, blobId, chunkSize: defaultChunkSize, start, end })

  it('streams ranges spanning several growing batches byte for byte', async () => {
    expect((await collect(range(owner.accountId, 0, bytes.length - 1))).equals(bytes)).to.equal(true)
    const [start, end] = [defaultChunkSize - 3, 4 * 1024 * 1024 + 17]
    expect(
      (await collect(range(owner.accountId, start, end))).equals(bytes.subarray(start, end + 1)),
    ).to.equal(true)
  })

  it("applies row-level security to the COPY: another account's setting sees no chunk", async () => {
    const refused = await collect(range(other.accountId, 0, 99)).then(
      () => 'served',
      (e: Error) => e.message,
    )
    expect(refused).to.equal('blob chunk missing')
  })

  it('gives back a usable pool after downloads abandoned mid-batch', async () => {
    for (let i = 0; i < 12; i++) {
      const pieces = knexBlobStore(db.appKnex).read(owner.accountId, blobId)[Symbol.asyncIterator]()
      expect((await pieces.next()).done).to.equal(false)
      await pieces.return?.()
    }
    expect(samplePool(db.appKnex).active).to.equal(0)
    expect((await collect(knexBlobStore(db.appKnex).read(owner.accountId, blobId))).equals(bytes)).to.equal(
      true,
    )
  })

  it('counts each COPY as a query in the pool metrics', async () => {
    const seen: boolean[] = []
    const stop = measureQueries(db.appKnex, { dbQuery: (_seconds, ok) => seen.push(ok) })
    await collect(range(owner.accountId, 0, 99))
    stop()
    // the COPY alone: set_config goes out with BEGIN in one round trip (account-scoped-client.ts), and knex
    // reports no event with a query id for begin and commit
    expect(seen).to.deep.equal([true])
  })
})

/**
 * The knex blob store's binary-COPY read path against a real PostgreSQL, as the application role: what the
 * contract suite cannot see (row-level security on the COPY itself, connections after an abandoned download,
 * query metrics) and the binary COPY parser cut at every possible piece boundary.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { binaryCopyFields } from '../../../adapters/persistence/knex/binary-copy-fields'
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

/** A binary COPY of one bytea column holding `rows`, with a header extension of `extension` bytes. */
const binaryCopy = (rows: Buffer[], extension = 0): Buffer => {
  const header = Buffer.alloc(19 + extension)
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1').copy(header)
  header.writeInt32BE(extension, 15)
  const tuples = rows.map((row) => {
    const head = Buffer.alloc(6)
    head.writeInt16BE(1, 0)
    head.writeInt32BE(row.length, 2)
    return Buffer.concat([head, row])
  })
  return Buffer.concat([header, ...tuples, Buffer.from([0xff, 0xff])])
}

const cutAt = (bytes: Buffer, cuts: number[]): Buffer[] =>
  [...cuts, bytes.length].map((cut, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], cut))

describe('binary COPY parser', () => {
  const rows = [randomBytes(7), Buffer.alloc(0), randomBytes(30)]
  const copy = binaryCopy(rows, 3)

  it('yields every field byte in order wherever the pieces are cut', async () => {
    for (let first = 0; first <= copy.length; first++)
      for (let second = first; second <= copy.length; second += 5)
        expect(
          (await collect(binaryCopyFields(cutAt(copy, [first, second])))).equals(Buffer.concat(rows)),
        ).to.equal(true)
  })

  it('refuses a stream without its trailer, a wrong signature and rows of several fields', async () => {
    const refuses = (bytes: Buffer) =>
      collect(binaryCopyFields(cutAt(bytes, []))).then(
        () => 'accepted',
        (e: Error) => e.message,
      )
    expect(await refuses(copy.subarray(0, copy.length - 2))).to.match(/before its trailer/)
    expect(await refuses(Buffer.concat([Buffer.from('X'), copy.subarray(1)]))).to.match(/signature/)
    const twoFields = Buffer.from(copy)
    twoFields.writeInt16BE(2, 22)
    expect(await refuses(twoFields)).to.match(/one field/)
  })
})

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

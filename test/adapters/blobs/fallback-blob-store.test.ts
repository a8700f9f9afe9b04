/**
 * PostgreSQL and a folder served together (what every instance runs while blobs move between them): the blob
 * store contract holds for the pair, and a blob is readable wherever it is, deleted everywhere, listed once.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { BlobStore } from '../../../application/ports/blob-store'
import { fsBlobStore } from '../../../adapters/blobs/fs/fs-blob-store'
import { fallbackBlobStore } from '../../../adapters/blobs/migration/fallback-blob-store'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import type { AccountId } from '../../../domain/ids'
import { blobStoreContract } from '../../contracts/blob-store.contract'
import { right } from '../../contracts/harness'
import { aBlobId, anAccount, anAccountId, inPieces } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

type Pair = Readonly<{ files: BlobStore; rows: BlobStore; both: BlobStore; db: TestDatabase; root: string }>

const openPair = async (): Promise<Pair> => {
  const db = await createTestDatabase()
  const root = await mkdtemp(path.join(tmpdir(), 'zkeb-fallback-'))
  const [files, rows] = [fsBlobStore(root), knexBlobStore(db.appKnex)]
  return { files, rows, both: fallbackBlobStore(files, rows), db, root }
}

const empty = async (p: Pair) => {
  await p.db.ownerKnex.raw('truncate zkeb.accounts cascade')
  for (const name of await readdir(p.root))
    await rm(path.join(p.root, name), { recursive: true, force: true })
}

const close = async (p: Pair) => {
  await p.db.drop()
  await rm(p.root, { recursive: true, force: true })
}

blobStoreContract('a folder in front of PostgreSQL', async () => {
  const p = await openPair()
  return {
    blobs: p.both,
    givenAccount: (accountId) => right(knexAccountRepository(p.db.appKnex).create(anAccount({ accountId }))),
    reset: () => empty(p),
    close: () => close(p),
  }
})

const readAll = async (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

const exists = (store: BlobStore, accountId: AccountId, blobId: ReturnType<typeof aBlobId>) =>
  readAll(store.read(accountId, blobId)).then(
    () => true,
    () => false,
  )

describe('a folder in front of PostgreSQL, while blobs move', function () {
  this.timeout(60_000)
  let p: Pair
  let accountId: AccountId
  before(async () => (p = await openPair()))
  beforeEach(async () => {
    await empty(p)
    accountId = anAccountId()
    await right(knexAccountRepository(p.db.appKnex).create(anAccount({ accountId })))
  })
  after(() => close(p))

  it('writes to the folder, and reads a blob from PostgreSQL, a range of it included, when the folder lacks it', async () => {
    const [old, fresh] = [aBlobId(), aBlobId()]
    const bytes = randomBytes(700_000)
    await right(p.rows.write(accountId, old, inPieces(bytes, 50_000)))
    await right(p.both.write(accountId, fresh, inPieces(randomBytes(10), 10)))
    expect(await exists(p.files, accountId, fresh)).to.equal(true)
    expect(await exists(p.rows, accountId, fresh)).to.equal(false)
    expect((await readAll(p.both.read(accountId, old))).equals(bytes)).to.equal(true)
    const range = { start: 300_000, end: 600_001 }
    expect(
      (await readAll(p.both.read(accountId, old, range))).equals(bytes.subarray(300_000, 600_002)),
    ).to.equal(true)
  })

  it('deletes a blob from both, and lists a blob held by both once', async () => {
    const blobId = aBlobId()
    const bytes = randomBytes(1000)
    await right(p.rows.write(accountId, blobId, inPieces(bytes, 100)))
    await right(p.files.write(accountId, blobId, inPieces(bytes, 100)))
    const future = new Date(Date.now() + 60_000)
    expect(await right(p.both.listOlderThan(future, O.none, 10))).to.deep.equal([{ accountId, blobId }])
    await right(p.both.delete(accountId, blobId))
    expect(await exists(p.files, accountId, blobId)).to.equal(false)
    expect(await exists(p.rows, accountId, blobId)).to.equal(false)
  })

  it('pages through both listings in key order, whichever store holds each blob', async () => {
    const ids = Array.from({ length: 7 }, () => aBlobId())
    for (const [i, blobId] of ids.entries())
      await right((i % 2 === 0 ? p.rows : p.files).write(accountId, blobId, inPieces(randomBytes(5), 5)))
    const future = new Date(Date.now() + 60_000)
    const seen: string[] = []
    let after = O.none as O.Option<{ accountId: AccountId; blobId: (typeof ids)[number] }>
    for (;;) {
      const page = await right(p.both.listOlderThan(future, after, 3))
      seen.push(...page.map((b) => b.blobId))
      if (page.length < 3) break
      after = O.some(page[page.length - 1]!)
    }
    expect(seen).to.deep.equal([...ids].sort())
  })
})

/**
 * The backup fence on a real PostgreSQL: while a backup session holds it, blob deletions are skipped (the
 * blob stays for the collector) and answer as if done; without it they delete; and a backup asking for the
 * fence waits for a deletion that already holds it shared.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import pg from 'pg'
import { backupFenceKey, backupFencedBlobStore } from '../../../adapters/blobs/backup-fence'
import { inMemoryBlobStore } from '../../../adapters/in-memory/in-memory-blob-store'
import type { BlobStore } from '../../../application/ports/blob-store'
import { aBlobId, anAccountId } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const everything = new Date(8_640_000_000_000_000)

describe('backup fence on blob deletions', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let backup: pg.Client
  const accountId = anAccountId()

  const stored = async (store: BlobStore) => {
    const listed = await store.listOlderThan(everything, O.none, 100)()
    return E.isRight(listed) ? listed.right.map((b) => b.blobId) : expect.fail('listing failed')
  }
  const aBlob = async (store: BlobStore) => {
    const blobId = aBlobId()
    expect(
      E.isRight(await store.write(accountId, blobId, [new Uint8Array(10)].values() as never)()),
    ).to.equal(true)
    return blobId
  }

  before(async () => {
    db = await createTestDatabase()
    backup = new pg.Client({ connectionString: db.ownerUrl })
    await backup.connect()
  })
  after(async () => {
    await backup.end()
    await db.drop()
  })

  it('deletes while no backup runs', async () => {
    const inner = inMemoryBlobStore()
    const fenced = backupFencedBlobStore(inner, db.appKnex)
    const blobId = await aBlob(inner)
    expect(await fenced.delete(accountId, blobId)()).to.deep.equal(E.right(undefined))
    expect(await stored(inner)).to.deep.equal([])
  })

  it('skips deletions, of a blob or of an account, while a backup holds the fence', async () => {
    const inner = inMemoryBlobStore()
    const fenced = backupFencedBlobStore(inner, db.appKnex)
    const kept = await aBlob(inner)
    await backup.query('select pg_advisory_lock($1::bigint)', [backupFenceKey])
    try {
      expect(await fenced.delete(accountId, kept)()).to.deep.equal(E.right(undefined))
      expect(await fenced.deleteAccount(accountId)()).to.deep.equal(E.right(undefined))
      expect(await stored(inner)).to.deep.equal([kept])
    } finally {
      await backup.query('select pg_advisory_unlock($1::bigint)', [backupFenceKey])
    }
    expect(await fenced.delete(accountId, kept)()).to.deep.equal(E.right(undefined))
    expect(await stored(inner)).to.deep.equal([])
  })

  it('makes a backup wait for a deletion already running', async () => {
    const inner = inMemoryBlobStore()
    let release: () => void = () => undefined
    const slowDelete: BlobStore = {
      ...inner,
      delete: (a, b) =>
        TE.fromTask(() =>
          new Promise<void>((resolve) => (release = resolve))
            .then(() => inner.delete(a, b)())
            .then(() => undefined),
        ),
    }
    const fenced = backupFencedBlobStore(slowDelete, db.appKnex)
    const blobId = await aBlob(inner)
    const deleting = fenced.delete(accountId, blobId)()
    await new Promise((r) => setTimeout(r, 300)) // the deletion holds the fence shared by now
    let locked = false
    const locking = backup
      .query('select pg_advisory_lock($1::bigint)', [backupFenceKey])
      .then(() => (locked = true))
    await new Promise((r) => setTimeout(r, 300))
    expect(locked, 'the backup took the fence during a deletion').to.equal(false)
    release()
    expect(await deleting).to.deep.equal(E.right(undefined))
    await locking
    expect(await stored(inner)).to.deep.equal([])
    await backup.query('select pg_advisory_unlock($1::bigint)', [backupFenceKey])
  })
})

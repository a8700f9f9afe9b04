import { expect } from 'chai'
import { randomBytes, randomUUID } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { knexStorageTotals } from '../../../adapters/persistence/knex/knex-storage-totals'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const day = 24 * 60 * 60 * 1000
const now = new Date('2026-11-27T00:00:00Z')

describe('storage totals for the gauges (knex, PostgreSQL, as zkeb_app)', function () {
  this.timeout(60_000)
  let db: TestDatabase

  before(async () => {
    db = await createTestDatabase()
  })
  after(() => db.drop())

  const account = async (quota: number): Promise<string> => {
    const accountId = randomUUID()
    const bytes = randomBytes(16)
    await db.ownerKnex('zkeb.accounts').insert({
      account_id: accountId,
      username: `user-${accountId.slice(0, 8)}`,
      created_at: now,
      opaque_record: bytes,
      password_wrapped_umk: bytes,
      recovery_wrapped_umk: bytes,
      key_bundle_version: 1,
      recovery_verifier: bytes,
      quota_limit_bytes: quota,
    })
    return accountId
  }

  const blob = async (accountId: string, size: number, createdAt: Date): Promise<string> => {
    const blobId = randomUUID()
    await db.ownerKnex('zkeb.blobs').insert({
      account_id: accountId,
      blob_id: blobId,
      chunk_size: 1024,
      size_bytes: size,
      complete: true,
      created_at: createdAt,
    })
    return blobId
  }

  const backup = async (accountId: string, size: number, deletedAt: Date | null): Promise<void> => {
    const bytes = randomBytes(16)
    await db.ownerKnex('zkeb.backups').insert({
      account_id: accountId,
      backup_id: randomUUID(),
      device_id: randomUUID(),
      blob_id: await blob(accountId, size, new Date(now.getTime() - 40 * day)),
      size_bytes: size,
      sha256: randomBytes(32).toString('hex'),
      encrypted_metadata: bytes,
      wrapped_key: bytes,
      signature: bytes,
      key_version: 1,
      created_at: new Date(now.getTime() - 40 * day),
      deleted_at: deletedAt,
    })
  }

  it('sums quota usage, trash, purge backlog and orphan blobs across accounts, which zkeb_app cannot read row by row', async () => {
    const full = await account(1000)
    const roomy = await account(1_000_000)
    await backup(full, 900, null) // 90% of its quota: near
    await backup(roomy, 5000, null)
    await backup(roomy, 700, new Date(now.getTime() - 31 * day)) // past a 30-day retention
    await backup(roomy, 300, new Date(now.getTime() - 2 * day)) // still restorable
    await blob(roomy, 111, new Date(now.getTime() - 2 * 60 * 60 * 1000)) // orphan, 2 h old
    await blob(roomy, 222, new Date(now.getTime() - 60 * 1000)) // an upload in flight, 1 min old

    const rows = await db.appKnex('zkeb.backups').count({ n: '*' })
    expect(Number(rows[0]?.['n'])).to.equal(0) // row-level security: no account is set

    const totals = await knexStorageTotals(db.appKnex)({
      purgeCutoff: new Date(now.getTime() - 30 * day),
      orphanBefore: new Date(now.getTime() - 60 * 60 * 1000),
    })()
    expect(totals).to.deep.equal(
      E.right({
        accounts: 2,
        quotaBytes: 1_001_000,
        usedBytes: 6900,
        accountsNearQuota: 1,
        trashBackups: 2,
        trashBytes: 1000,
        purgeBacklogBackups: 1,
        orphanBlobs: 1,
        orphanBlobBytes: 111,
      }),
    )
  })
})

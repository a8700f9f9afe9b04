/**
 * The expand → backfill → contract change of accounts.used_bytes, on real PostgreSQL: rows from before the
 * expand (NULL) are counted by the background job in batches while commits and purges go on, the counter
 * stays exact, the tighten migration waits for the backfill and then makes the column NOT NULL.
 */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexBackfillJobs } from '../../../adapters/persistence/knex/knex-backfill-jobs'
import { knexBackupRepository } from '../../../adapters/persistence/knex/knex-backup-repository'
import { knexUnitOfWork } from '../../../adapters/persistence/knex/knex-unit-of-work'
import { migrateLatest, migrations, migrationStatus } from '../../../adapters/persistence/knex/migrator'
import type { Account } from '../../../domain/account'
import { right, usedBytes } from '../../contracts/harness'
import { aBackup, aDeviceId, anAccount } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const tighten = '20261215000000_tighten_accounts_used_bytes'
const beforeTighten = migrations.filter((m) => m.name !== tighten)

describe('accounts.used_bytes: expand, background backfill, contract (PostgreSQL)', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let accounts: Account[]
  const sizes = [0, 100, 2_000, 30_000, 400_000]

  const counters = async (): Promise<Array<{ id: string; cached: number | null; actual: number }>> =>
    (
      await db.ownerKnex.raw<{ rows: Array<{ id: string; cached: number | null; actual: number }> }>(`
        select a.account_id as id, a.used_bytes as cached,
          (select coalesce(sum(size_bytes), 0) from zkeb.backups b where b.account_id = a.account_id)::bigint as actual
        from zkeb.accounts a order by a.account_id`)
    ).rows

  before(async () => {
    db = await createTestDatabase(beforeTighten)
    const repo = knexAccountRepository(db.appKnex)
    const backups = knexBackupRepository(db.appKnex)
    accounts = sizes.map(() => anAccount())
    for (const [i, account] of accounts.entries()) {
      await right(repo.create(account))
      await right(backups.insert(aBackup(account.accountId, aDeviceId(), { sizeBytes: sizes[i]! })))
    }
    // What rows written before the expand migration look like: not counted yet.
    await db.ownerKnex.raw('update zkeb.accounts set used_bytes = null')
  })
  after(() => db.drop())

  it('holds the tighten migration back, without failing, while rows are uncounted', async () => {
    expect(await migrateLatest(db.ownerKnex)).to.deep.equal([])
    const status = await migrationStatus(db.ownerKnex)
    expect(status.pending).to.equal(0)
    expect(status.waiting.map((w) => w.name)).to.deep.equal([tighten])
  })

  it('reports exact usage before the backfill, by summing', async () => {
    expect(await usedBytes({ unitOfWork: knexUnitOfWork(db.appKnex) }, accounts[3]!.accountId)).to.equal(
      30_000,
    )
  })

  it('fills every row in batches, exact despite commits and purges during the run, pausable and idempotent', async () => {
    const jobs = knexBackfillJobs(db.appKnex)
    const backups = knexBackupRepository(db.appKnex)
    const first = await right(jobs.step('accounts-used-bytes', 2))
    expect(O.toNullable(first)).to.include({ state: 'pending', processed: 2, batches: 1 })

    // A commit to a counted and to an uncounted account, and a removal, while the job is half way.
    const ids = accounts.map((a) => a.accountId).sort()
    const late = aBackup(ids[0]!, aDeviceId(), { sizeBytes: 7 })
    await right(backups.insert(late))
    await right(backups.insert(aBackup(ids[4]!, aDeviceId(), { sizeBytes: 11 })))
    await right(backups.remove(late.accountId, late.backupId))

    await right(jobs.setPaused('accounts-used-bytes', true))
    expect(O.toNullable(await right(jobs.step('accounts-used-bytes', 2)))).to.include({
      state: 'paused',
      batches: 1,
    })
    await right(jobs.setPaused('accounts-used-bytes', false))

    // Concurrent runners take turns on the job row; the batches they run are disjoint.
    await Promise.all([
      right(jobs.step('accounts-used-bytes', 2)),
      right(jobs.step('accounts-used-bytes', 2)),
    ])
    const last = O.toNullable(await right(jobs.step('accounts-used-bytes', 2)))
    expect(last).to.include({ state: 'done', processed: 5 })
    expect(last?.finishedAt).to.be.instanceOf(Date)
    for (const row of await counters()) expect(row.cached, row.id).to.equal(Number(row.actual))

    // A replay (rows already counted) changes nothing, and a done job stays done.
    await db.ownerKnex('zkeb.backfill_jobs').update({ state: 'pending', cursor: null })
    while (O.toNullable(await right(jobs.step('accounts-used-bytes', 2)))?.state === 'pending');
    for (const row of await counters()) expect(row.cached).to.equal(Number(row.actual))
  })

  it('then tightens: NOT NULL and a validated CHECK, and the counter follows every later change', async () => {
    expect(await migrateLatest(db.ownerKnex)).to.deep.equal([tighten])
    const column = await db.ownerKnex.raw<{ rows: Array<{ is_nullable: string }> }>(
      "select is_nullable from information_schema.columns where table_schema = 'zkeb' and table_name = 'accounts' and column_name = 'used_bytes'",
    )
    expect(column.rows[0]?.is_nullable).to.equal('NO')
    const checks = await db.ownerKnex.raw<{ rows: Array<{ conname: string; convalidated: boolean }> }>(
      "select conname, convalidated from pg_constraint where conrelid = 'zkeb.accounts'::regclass and contype = 'c' and conname like 'accounts_used_bytes%'",
    )
    expect(checks.rows).to.deep.equal([{ conname: 'accounts_used_bytes_non_negative', convalidated: true }])
    const account = anAccount()
    await right(knexAccountRepository(db.appKnex).create(account))
    const backups = knexBackupRepository(db.appKnex)
    await right(backups.insert(aBackup(account.accountId, aDeviceId(), { sizeBytes: 5_000 })))
    expect(await usedBytes({ unitOfWork: knexUnitOfWork(db.appKnex) }, account.accountId)).to.equal(5_000)
    for (const row of await counters()) expect(row.cached).to.equal(Number(row.actual))
    // Deleting an account cascades to its backups; the trigger's update of the vanished row is a no-op.
    await right(knexAccountRepository(db.appKnex).delete(account.accountId))
  })
})

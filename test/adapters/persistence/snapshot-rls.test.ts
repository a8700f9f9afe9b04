/**
 * Row-level security alone isolates the snapshot tables: these queries bypass the adapters and talk to
 * PostgreSQL as the application role, the way a bug or an injected query would.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import type { Knex } from 'knex'
import type { AccountId } from '../../../domain/ids'
import { right } from '../../contracts/harness'
import {
  aPack,
  aRecord,
  entriesOf,
  givenAccount,
  inTx,
  refsFor,
  type SnapshotHarness,
} from '../../contracts/snapshot-persistence'
import { aBlobId, at } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexUnitOfWork } from '../../../adapters/persistence/knex/knex-unit-of-work'
import { knexSnapshotAccounts } from '../../../adapters/persistence/knex/knex-snapshot-accounts'
import { knexBackupRepository } from '../../../adapters/persistence/knex/knex-backup-repository'

const tables = ['snapshot_keys', 'snapshot_packs', 'snapshot_objects', 'snapshots', 'snapshot_refs'] as const

const asApp = <A>(
  db: TestDatabase,
  accountId: AccountId | null,
  work: (trx: Knex.Transaction) => Promise<A>,
) =>
  db.appKnex.transaction(async (trx) => {
    if (accountId !== null) await trx.raw("select set_config('zkeb.account_id', ?, true)", [accountId])
    return work(trx)
  })

const failureCode = (run: () => Promise<unknown>): Promise<string | null> =>
  run().then(
    () => null,
    (error: { code?: string }) => error.code ?? 'unknown',
  )

/** One row of each table for `accountId`, as an intruder would write it. */
const rowsOf = (accountId: AccountId): Record<(typeof tables)[number], Record<string, unknown>> => {
  const id = randomBytes(32)
  return {
    snapshot_keys: { account_id: accountId, wrapped_key: randomBytes(60), created_at: at() },
    snapshot_packs: {
      account_id: accountId,
      pack_id: id,
      blob_id: aBlobId(),
      sha256: 'a'.repeat(64),
      size_bytes: 100,
      object_count: 1,
      created_at: at(),
    },
    snapshot_objects: {
      account_id: accountId,
      object_id: id,
      pack_id: id,
      offset_bytes: 45,
      length_bytes: 55,
      claimed_at: at(),
    },
    snapshots: {
      account_id: accountId,
      snapshot_id: randomUUID(),
      series_id: id,
      device_id: randomUUID(),
      received_at: at(),
      encrypted_metadata: randomBytes(10),
      signature: randomBytes(64),
      ref_count: 1,
      refs_sha256: 'b'.repeat(64),
    },
    snapshot_refs: { account_id: accountId, snapshot_id: randomUUID(), object_id: id },
  }
}

describe('row-level security of the snapshot tables in PostgreSQL', () => {
  let db: TestDatabase
  let h: SnapshotHarness
  let a: AccountId
  let b: AccountId

  before(async () => {
    db = await createTestDatabase()
    h = {
      accounts: knexAccountRepository(db.appKnex),
      backups: knexBackupRepository(db.appKnex),
      unitOfWork: knexUnitOfWork(db.appKnex),
      snapshotAccounts: knexSnapshotAccounts(db.appKnex),
      reset: () => Promise.resolve(),
      close: db.drop,
    }
    ;[a, b] = [await givenAccount(h), await givenAccount(h)]
    for (const accountId of [a, b]) {
      const entries = entriesOf([100])
      await inTx(h, accountId, (tx) =>
        tx.snapshotObjects.insertPack(aPack(accountId, entries), entries, at()),
      )
      await inTx(h, accountId, (tx) =>
        tx.snapshots.insert(aRecord(accountId), refsFor([entries[0]!.objectId])),
      )
      await inTx(h, accountId, (tx) =>
        tx.snapshotKeys.insert({
          accountId,
          wrappedKey: randomBytes(60).toString('base64url') as never,
          createdAt: at(),
        }),
      )
    }
  })
  after(() => db.drop())

  it("shows the application role only the current account's rows, in every snapshot table", async () => {
    for (const table of tables) {
      const rows = await asApp(db, a, (trx) =>
        trx(`zkeb.${table}`).select<Array<{ account_id: string }>>('account_id'),
      )
      expect(rows.length, table).to.be.greaterThan(0)
      expect(new Set(rows.map((row) => row.account_id)), table).to.deep.equal(new Set([a]))
    }
  })

  it('shows nothing at all when no account is set', async () => {
    for (const table of tables)
      expect(await asApp(db, null, (trx) => trx(`zkeb.${table}`).select('account_id')), table).to.deep.equal(
        [],
      )
  })

  it("refuses to insert another account's rows", async () => {
    const intruding = rowsOf(b)
    for (const table of tables) {
      const code = await failureCode(() =>
        asApp(db, a, async (trx) => void (await trx(`zkeb.${table}`).insert(intruding[table]))),
      )
      expect(code, table).to.equal('42501')
    }
  })

  it("neither updates nor deletes another account's rows, nor moves its own to another", async () => {
    const changed = await asApp(db, a, async (trx) => [
      await trx('zkeb.snapshot_objects')
        .where({ account_id: b })
        .update({ claimed_at: at(99) }),
      await trx('zkeb.snapshot_keys')
        .where({ account_id: b })
        .update({ wrapped_key: randomBytes(60) }),
      await trx('zkeb.snapshots').where({ account_id: b }).delete(),
      await trx('zkeb.snapshot_refs').where({ account_id: b }).delete(),
    ])
    expect(changed).to.deep.equal([0, 0, 0, 0])
    expect(await inTx(h, b, (tx) => tx.snapshots.count(b))).to.equal(1)
    const moved = await failureCode(() =>
      asApp(db, a, (trx) => trx('zkeb.snapshot_keys').where({ account_id: a }).update({ account_id: b })),
    )
    expect(moved).to.equal('42501')
  })

  it('forces row-level security on every snapshot table, and grants no update of records or refs', async () => {
    const forced = await db.ownerKnex.raw<{ rows: Array<{ relname: string }> }>(
      `select relname from pg_class where relnamespace = 'zkeb'::regnamespace and relname = any(?)
       and relrowsecurity and relforcerowsecurity`,
      [[...tables]],
    )
    expect(forced.rows.map((r) => r.relname)).to.have.members([...tables])
    for (const table of ['snapshots', 'snapshot_refs', 'snapshot_packs'])
      expect(
        await failureCode(() => asApp(db, a, (trx) => trx(`zkeb.${table}`).update({ account_id: a }))),
        table,
      ).to.equal('42501')
  })

  it('lets the collector’s listing answer account ids only', async () => {
    const listed = await asApp(db, null, (trx) =>
      trx.raw<{ rows: Array<Record<string, unknown>> }>('select * from zkeb.snapshot_accounts(null, 10)'),
    )
    expect(listed.rows.map((r) => Object.keys(r))).to.deep.equal([['account_id'], ['account_id']])
    expect(listed.rows.map((r) => r['account_id'])).to.have.members([a, b])
    expect(await right(h.snapshotAccounts.list({ _tag: 'None' }, 10))).to.have.members([a, b])
  })
})

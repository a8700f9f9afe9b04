/**
 * Row-level security alone isolates accounts: these queries bypass the adapters and talk to PostgreSQL as the
 * application role, the way a bug or an injected query would.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type { Knex } from 'knex'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../../adapters/persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import { knexDeviceRepository } from '../../../adapters/persistence/knex/knex-device-repository'
import { knexResticObjectRepository } from '../../../adapters/persistence/knex/knex-restic-object-repository'
import { knexResticTokenRepository } from '../../../adapters/persistence/knex/knex-restic-token-repository'
import { aResticObject, aResticToken } from '../../contracts/restic-persistence'
import type { AccountId } from '../../../domain/ids'
import { right } from '../../contracts/harness'
import {
  aBackup,
  aBlobId,
  aDevice,
  anAccount,
  anAuditDraft,
  aDeviceId,
  at,
  inPieces,
} from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const tables = [
  'accounts',
  'devices',
  'backups',
  'audit_events',
  'blobs',
  'blob_chunks',
  'restic_tokens',
  'restic_objects',
] as const

/** A row of each table for `accountId`; policies are checked before foreign keys, so the chunk needs no blob. */
const rowsOf = (
  accountId: AccountId,
  blobId = aBlobId(),
): Record<(typeof tables)[number], Record<string, unknown>> => ({
  accounts: {
    account_id: accountId,
    username: `intruder-${randomBytes(4).toString('hex')}`,
    created_at: at(),
    opaque_record: randomBytes(64),
    password_wrapped_umk: randomBytes(60),
    recovery_wrapped_umk: randomBytes(60),
    key_bundle_version: 1,
    recovery_verifier: randomBytes(32),
    quota_limit_bytes: 1,
  },
  devices: {
    device_id: aDeviceId(),
    account_id: accountId,
    public_key: randomBytes(32),
    encrypted_name: randomBytes(20),
    created_at: at(),
    last_seen_at: at(),
  },
  backups: {
    account_id: accountId,
    backup_id: aBlobId(),
    device_id: aDeviceId(),
    blob_id: blobId,
    size_bytes: 1,
    sha256: 'a'.repeat(64),
    encrypted_metadata: randomBytes(10),
    wrapped_key: randomBytes(60),
    signature: randomBytes(64),
    key_version: 1,
    created_at: at(),
  },
  audit_events: {
    account_id: accountId,
    seq: 99,
    event_id: aBlobId(),
    type: 'login',
    at: at(),
    request_id: 'r',
    prev_hash: 'b'.repeat(64),
    hash: 'c'.repeat(64),
  },
  blobs: { account_id: accountId, blob_id: blobId, chunk_size: 16 },
  blob_chunks: { account_id: accountId, blob_id: blobId, seq: 0, data: randomBytes(16) },
  restic_tokens: {
    token_id: aBlobId(),
    account_id: accountId,
    append_only: false,
    secret_sha256: randomBytes(32).toString('hex'),
    created_at: at(),
  },
  restic_objects: {
    account_id: accountId,
    repo: 'laptop',
    type: 'data',
    name: randomBytes(32).toString('hex'),
    blob_id: blobId,
    size_bytes: 1,
    created_at: at(),
  },
})

/** Runs `work` as zkeb_app in a transaction scoped to `accountId` (or to no account). */
const asApp = <A>(
  db: TestDatabase,
  accountId: AccountId | null,
  work: (trx: Knex.Transaction) => Promise<A>,
): Promise<A> =>
  db.appKnex.transaction(async (trx) => {
    if (accountId !== null) await trx.raw("select set_config('zkeb.account_id', ?, true)", [accountId])
    return work(trx)
  })

/** The SQLSTATE a statement failed with, or null when it succeeded. */
const failureCode = (run: () => Promise<unknown>): Promise<string | null> =>
  run().then(
    () => null,
    (error: { code?: string }) => error.code ?? 'unknown',
  )

describe('row-level security in PostgreSQL', () => {
  let db: TestDatabase
  const [a, b] = [anAccount(), anAccount()]

  before(async () => {
    db = await createTestDatabase()
    for (const account of [a, b]) {
      await right(knexAccountRepository(db.appKnex).create(account))
      await right(knexDeviceRepository(db.appKnex).add(aDevice(account.accountId)))
      await right(knexBackupRepository(db.appKnex).insert(aBackup(account.accountId, aDeviceId())))
      await right(knexAuditRepository(db.appKnex).append(anAuditDraft(account.accountId), at()))
      await right(
        knexBlobStore(db.appKnex).write(account.accountId, aBlobId(), inPieces(randomBytes(10), 10)),
      )
      await right(knexResticTokenRepository(db.appKnex).create(aResticToken(account.accountId, null)))
      await right(knexResticObjectRepository(db.appKnex).insert(aResticObject(account.accountId)))
    }
  })
  after(() => db.drop())

  it("shows the application role only the current account's rows, in every account-owned table", async () => {
    for (const table of tables) {
      const rows = await asApp(db, a.accountId, (trx) =>
        trx(`zkeb.${table}`).select<Array<{ account_id: string }>>('account_id'),
      )
      expect(rows.length, table).to.be.greaterThan(0)
      expect(new Set(rows.map((row) => row.account_id)), table).to.deep.equal(new Set([a.accountId]))
    }
  })

  it('shows nothing at all when no account is set', async () => {
    for (const table of tables) {
      const rows = await asApp(db, null, (trx) => trx(`zkeb.${table}`).select('account_id'))
      expect(rows, table).to.deep.equal([])
    }
  })

  it("refuses to insert another account's rows", async () => {
    const intruding = rowsOf(b.accountId)
    for (const table of tables) {
      const code = await failureCode(() =>
        asApp(db, a.accountId, async (trx) => {
          await trx(`zkeb.${table}`).insert(intruding[table])
        }),
      )
      expect(code, table).to.equal('42501')
    }
  })

  it("neither updates nor deletes another account's rows", async () => {
    const changed = await asApp(db, a.accountId, async (trx) => [
      await trx('zkeb.accounts').where({ account_id: b.accountId }).update({ quota_limit_bytes: 0 }),
      await trx('zkeb.backups').where({ account_id: b.accountId }).delete(),
      await trx('zkeb.blobs').where({ account_id: b.accountId }).delete(),
      await trx('zkeb.devices').where({ account_id: b.accountId }).update({ account_id: a.accountId }),
    ])
    expect(changed).to.deep.equal([0, 0, 0, 0])
    const stillThere = await asApp(db, b.accountId, (trx) => trx('zkeb.backups').select('backup_id'))
    expect(stillThere).to.have.length(1)
  })

  it('refuses to move a row of the current account to another one', async () => {
    const code = await failureCode(() =>
      asApp(db, a.accountId, (trx) =>
        trx('zkeb.devices').where({ account_id: a.accountId }).update({ account_id: b.accountId }),
      ),
    )
    expect(code).to.equal('42501')
  })

  it('keeps the audit trail append-only for the application role', async () => {
    expect(
      await failureCode(() =>
        asApp(db, a.accountId, (trx) => trx('zkeb.audit_events').update({ request_id: 'x' })),
      ),
    ).to.equal('42501')
    expect(
      await failureCode(() => asApp(db, a.accountId, (trx) => trx('zkeb.audit_events').delete())),
    ).to.equal('42501')
  })

  it('gives the application role no way around row-level security', async () => {
    const [role] = await db
      .ownerKnex('pg_roles')
      .where({ rolname: 'zkeb_app' })
      .select<Array<Record<string, boolean>>>('rolsuper', 'rolbypassrls', 'rolcreaterole', 'rolcreatedb')
    expect(role).to.deep.equal({
      rolsuper: false,
      rolbypassrls: false,
      rolcreaterole: false,
      rolcreatedb: false,
    })
    const owned = await db.ownerKnex.raw<{ rows: unknown[] }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'zkeb' and pg_get_userbyid(c.relowner) = 'zkeb_app'`,
    )
    expect(owned.rows).to.deep.equal([])
    const forced = await db.ownerKnex.raw<{
      rows: Array<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>
    }>(
      `select relname, relrowsecurity, relforcerowsecurity from pg_class where relnamespace = 'zkeb'::regnamespace and relname = any(?)`,
      [[...tables]],
    )
    expect(
      forced.rows.filter((r) => r.relrowsecurity && r.relforcerowsecurity).map((r) => r.relname),
    ).to.have.members([...tables])
    expect(await failureCode(() => db.appKnex.raw('select * from zkeb.knex_migrations'))).to.equal('42501')
    expect(
      await failureCode(() => db.appKnex.raw('alter table zkeb.backups disable row level security')),
    ).to.equal('42501')
  })

  it('lets the definer functions answer only their narrow questions', async () => {
    const found = await asApp(db, null, (trx) =>
      trx.raw<{ rows: Array<{ account_id: string }> }>(
        'select account_id from zkeb.find_account_by_username(?)',
        [b.username.toUpperCase()],
      ),
    )
    expect(found.rows).to.deep.equal([{ account_id: b.accountId }])
    const due = await asApp(db, null, (trx) =>
      trx.raw<{ rows: unknown[] }>('select * from zkeb.backups_due_for_purge(?, 10)', [at(1)]),
    )
    expect(due.rows).to.deep.equal([])
    const grant = await asApp(db, null, (trx) =>
      trx.raw<{ rows: unknown[] }>('select * from zkeb.find_restic_grant(?, ?)', [
        b.username,
        'd'.repeat(64),
      ]),
    )
    expect(grant.rows).to.deep.equal([])
  })
})

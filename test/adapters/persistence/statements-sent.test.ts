/**
 * The statements PostgreSQL receives for a one-shot upload and for a login finish, captured on the wire (every
 * Parse and every simple Query pg sends), through the real use cases over the knex adapters and the knex
 * UnitOfWork. The upload, the fetch and the list must send exactly bench/sql/*.sql (what pgbench runs for their
 * ceilings): a change that adds, drops or reorders a statement fails here, not only in `npm run bench`. The
 * login finish is one transaction of four statements between BEGIN and COMMIT.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type { Knex } from 'knex'
import { Connection } from 'pg'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../../adapters/persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import { knexDeviceRepository } from '../../../adapters/persistence/knex/knex-device-repository'
import { knexSessionStore } from '../../../adapters/persistence/knex/knex-session-store'
import { knexUnitOfWork } from '../../../adapters/persistence/knex/knex-unit-of-work'
import type { UseCases } from '../../../application/zkeb'
import { firstDrift, readScript, scriptStatements } from '../../../bench/sql-script'
import { inMemoryZkeb } from '../../support/in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'
import {
  addDevice,
  anUpload,
  callerFor,
  inPieces,
  ok,
  register,
  type Registered,
  startLogin,
} from '../../support/test-client'

/** One transaction: BEGIN and the scope (one round trip), the account locked, the session, the event, COMMIT. */
const loginFinish = [
  'BEGIN;',
  "select set_config('zkeb.account_id', $1, true)",
  'select * from "zkeb"."accounts" where "account_id" = $1 for no key update',
  'select * from "zkeb"."second_factors" where "account_id" = $1 order by "created_at" asc, "factor_id" asc',
  'with expired as (delete from zkeb.sessions where account_id = $1 and expires_at <= $2), opened as (' +
    'insert into zkeb.sessions (session_id, account_id, device_id, created_at, expires_at)' +
    ' values ($3, $4, $5, $6, $7) returning session_id)' +
    ' insert into zkeb.refresh_digests (digest, session_id, account_id) select $8, session_id, $9 from opened',
  'select "seq", "hash" from "zkeb"."audit_events" where "account_id" = $1 order by "seq" desc limit $2',
  'insert into "zkeb"."audit_events" ("account_id", "at", "device_id", "event_id", "hash", "prev_hash",' +
    ' "request_id", "seq", "type") values ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
  'COMMIT;',
]

type Wire = { parse: (message: { text: string }) => void; query: (text: string) => void }

/** The text of every statement sent while `run` runs, in order (bind values are never seen here). */
const statementsDuring = async (run: () => Promise<unknown>): Promise<ReadonlyArray<string>> => {
  const wire = Connection.prototype as unknown as Wire
  const { parse, query } = wire
  const sent: Array<string> = []
  wire.parse = function (this: unknown, message) {
    sent.push(message.text)
    return parse.call(this, message)
  }
  wire.query = function (this: unknown, text) {
    sent.push(text)
    return query.call(this, text)
  }
  try {
    await run()
  } finally {
    Object.assign(wire, { parse, query })
  }
  return sent
}

const zkebOver = async (knex: Knex): Promise<UseCases> =>
  (
    await inMemoryZkeb({
      accounts: knexAccountRepository(knex),
      devices: knexDeviceRepository(knex),
      backups: knexBackupRepository(knex),
      audit: knexAuditRepository(knex),
      blobs: knexBlobStore(knex),
      sessions: knexSessionStore(knex),
      unitOfWork: knexUnitOfWork(knex),
    })
  ).useCases

describe('statements sent to PostgreSQL', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let uc: UseCases
  let who: Registered

  before(async () => {
    db = await createTestDatabase()
    uc = await zkebOver(db.appKnex)
    who = await register(uc)
  })
  after(() => db?.drop())

  it('sends for a one-shot upload of 4 KiB exactly what bench/sql/upload-4k.sql runs', async () => {
    const caller = await callerFor(uc, who)
    const { device, key } = await addDevice(uc, caller)
    const upload = anUpload(device.deviceId, key, { content: randomBytes(4096) })
    const sent = await statementsDuring(() =>
      ok(uc.uploadBackup(upload.input, inPieces(upload.content), caller)),
    )
    expect(firstDrift(scriptStatements(readScript('upload-4k')), sent)).to.equal(undefined)
  })

  it('sends for a metadata fetch and a list of 50 exactly get-backup.sql and list-backups.sql', async () => {
    const caller = await callerFor(uc, who)
    const { device, key } = await addDevice(uc, caller)
    const upload = anUpload(device.deviceId, key)
    await ok(uc.uploadBackup(upload.input, inPieces(upload.content), caller))
    const get = await statementsDuring(() => ok(uc.getBackup({ backupId: upload.input.backupId }, caller)))
    expect(firstDrift(scriptStatements(readScript('get-backup')), get)).to.equal(undefined)
    const list = await statementsDuring(() => ok(uc.listBackups({ limit: 50 } as never, caller)))
    expect(firstDrift(scriptStatements(readScript('list-backups')), list)).to.equal(undefined)
  })

  it('finishes a login in one transaction: lock, second factors, session, the event linked to the chain', async () => {
    const { loginId, finishLoginRequest } = await startLogin(uc, who.username, who.password)
    const finish = { loginId, finishLoginRequest: finishLoginRequest as never }
    const sent = await statementsDuring(() => ok(uc.finishLogin(finish, { requestId: 'req-wire' })))
    expect(firstDrift(loginFinish, sent)).to.equal(undefined)
  })
})

/**
 * Isolation that holds even if the application is wrong: the real use cases run over the real knex
 * repositories, but through a pool that deletes every `account_id = $n` condition from the SQL before it
 * reaches PostgreSQL, so the application-level owner checks are switched off (production code untouched).
 * As `zkeb_app`, row-level security alone must still keep account A out of account B's rows. The same pool
 * signed in as a superuser (who bypasses RLS) does leak, which proves the rewriting really removes the checks.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type { Knex } from 'knex'
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../../adapters/persistence/knex/knex-blob-store'
import { knexDeviceRepository } from '../../adapters/persistence/knex/knex-device-repository'
import { knexUnitOfWork } from '../../adapters/persistence/knex/knex-unit-of-work'
import { createKnex } from '../../adapters/persistence/knex/create-knex'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import type { Caller } from '../../application/context'
import type { UseCases } from '../../application/zkeb'
import type { BackupId, DeviceId } from '../../domain/ids'
import { inMemoryZkeb } from '../support/in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { addDevice, anUpload, callerFor, inPieces, ok, register } from '../support/test-client'
import { snapshot } from './snapshot'

const accountFilter = /(?:"?\w+"?\.)?"?account_id"?\s*=\s*(\$\d+)/g

/** Counts the account filters the pool removed, so the test knows the variant really ran unscoped. */
type Unscoped = Readonly<{ knex: Knex; removed: () => number }>

/**
 * A pool whose every statement loses its `account_id = $n` conditions (the parameter stays bound, so the
 * numbering holds). Transactions build their client from `client.constructor.prototype`, hence the subclass.
 */
const unscoped = (url: string): Unscoped => {
  const knex = createKnex({ url, poolMax: 4 })
  let removed = 0
  type Obj = { sql: string }
  type PgClient = { _query(connection: unknown, obj: Obj): Promise<unknown> }
  const Base = (knex.client as object).constructor as new (...args: never[]) => PgClient
  class WithoutOwnerChecks extends Base {
    override _query(connection: unknown, obj: Obj): Promise<unknown> {
      const sql = obj.sql.replace(accountFilter, (_, param: string) => {
        removed++
        return `(${param}::text is not null)`
      })
      return super._query(connection, { ...obj, sql })
    }
  }
  Object.setPrototypeOf(knex.client, WithoutOwnerChecks.prototype)
  return { knex, removed: () => removed }
}

const zkebOver = async (knex: Knex): Promise<UseCases> => {
  const sessions = inMemorySessionStore()
  return (
    await inMemoryZkeb({
      accounts: knexAccountRepository(knex),
      devices: knexDeviceRepository(knex),
      backups: knexBackupRepository(knex),
      audit: knexAuditRepository(knex),
      blobs: knexBlobStore(knex),
      sessions,
      unitOfWork: knexUnitOfWork(knex, { kind: 'store', store: sessions }),
    })
  ).useCases
}

type Party = Readonly<{ caller: Caller; deviceId: DeviceId; backupId: BackupId; trashedId: BackupId }>

/** An account with a device, a live backup and a trashed one, made through the (unscoped) use cases. */
const aParty = async (useCases: UseCases): Promise<Party> => {
  const registered = await register(useCases)
  const caller = await callerFor(useCases, registered)
  const { device, key } = await addDevice(useCases, caller)
  const ids: BackupId[] = []
  for (let i = 0; i < 2; i++) {
    const upload = anUpload(device.deviceId, key, { content: randomBytes(2000) })
    await ok(useCases.uploadBackup(upload.input, inPieces(upload.content), caller))
    ids.push(upload.input.backupId)
  }
  await ok(useCases.trashBackup({ backupId: ids[1]! }, caller))
  return { caller, deviceId: device.deviceId, backupId: ids[0]!, trashedId: ids[1]! }
}

/** What A can learn of or do to B with the owner checks gone: each entry is what A got back. */
const crossAccountAttempts = async (uc: UseCases, a: Party, b: Party) => {
  const page = { limit: 200, trash: false } as never
  const trashPage = { limit: 200, trash: true } as never
  const tag = <L extends { _tag: string }, R>(r: E.Either<L, R>) => (E.isLeft(r) ? r.left._tag : 'Right')
  const listed = await ok(uc.listBackups(page, a.caller))
  const trashed = await ok(uc.listBackups(trashPage, a.caller))
  const devices = await ok(uc.listDevices(a.caller))
  const audit = await ok(uc.listAudit({ limit: 200 } as never, a.caller))
  return {
    get: tag(await uc.getBackup({ backupId: b.backupId }, a.caller)()),
    download: tag(await uc.downloadBackup({ backupId: b.backupId }, a.caller)()),
    trash: tag(await uc.trashBackup({ backupId: b.backupId }, a.caller)()),
    restore: tag(await uc.restoreBackup({ backupId: b.trashedId }, a.caller)()),
    revoke: tag(await uc.revokeDevice({ deviceId: b.deviceId }, a.caller)()),
    listedOthers: [...listed.items, ...trashed.items].filter((x) => x.accountId !== a.caller.accountId)
      .length,
    devicesOthers: devices.filter((d) => d.accountId !== a.caller.accountId).length,
    auditOthers: audit.items.filter((e) => e.accountId !== a.caller.accountId).length,
    account: (await ok(uc.getAccount(a.caller))).accountId === a.caller.accountId,
  }
}

describe('attacks: row-level security alone, with the application’s owner checks switched off', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let asApp: Unscoped
  let asSuperuser: Unscoped

  before(async () => {
    db = await createTestDatabase()
    asApp = unscoped(db.appUrl)
    asSuperuser = unscoped(db.ownerUrl)
  })
  after(async () => {
    await Promise.all([asApp?.knex.destroy(), asSuperuser?.knex.destroy()])
    await db?.drop()
  })

  it('keeps every account’s rows away from every other account as zkeb_app', async () => {
    const uc = await zkebOver(asApp.knex)
    const [a, b] = [await aParty(uc), await aParty(uc)]
    const before = await snapshot(db.ownerKnex, b.caller.accountId)
    const removedBefore = asApp.removed()
    const seen = await crossAccountAttempts(uc, a, b)
    // Ten of the statements above name the account (getAccount reads it with its stored bytes in one).
    expect(asApp.removed() - removedBefore, 'account filters removed').to.be.at.least(10)
    expect(seen).to.deep.equal({
      get: 'BackupNotFound',
      download: 'BackupNotFound',
      trash: 'BackupNotFound',
      restore: 'BackupNotFound',
      revoke: 'DeviceNotFound',
      listedOthers: 0,
      devicesOthers: 0,
      auditOthers: 0,
      account: true,
    })
    expect(await snapshot(db.ownerKnex, b.caller.accountId)).to.deep.equal(before)
  })

  it('does leak through the same variant signed in as a superuser: the owner checks really are off', async () => {
    const uc = await zkebOver(asSuperuser.knex)
    const [a, b] = [await aParty(uc), await aParty(uc)]
    const seen = await crossAccountAttempts(uc, a, b)
    expect(seen.get).to.equal('Right')
    expect(seen.listedOthers).to.be.greaterThan(0)
    expect(seen.devicesOthers).to.be.greaterThan(0)
  })
})

/**
 * Snapshot isolation that holds even if the application is wrong: the real snapshot use cases over the real
 * knex adapters, through a pool that deletes every `account_id = $n` condition before PostgreSQL sees it (as
 * rls-alone.test.ts does for backups). As `zkeb_app`, row-level security alone must keep account A away from
 * B's objects, packs and snapshots; the same pool as a superuser leaks, which proves the checks are really off.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type { Knex } from 'knex'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import { createKnex } from '../../adapters/persistence/knex/create-knex'
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../../adapters/persistence/knex/knex-blob-store'
import { knexDeviceRepository } from '../../adapters/persistence/knex/knex-device-repository'
import { knexSnapshotAccounts } from '../../adapters/persistence/knex/knex-snapshot-accounts'
import { knexUnitOfWork } from '../../adapters/persistence/knex/knex-unit-of-work'
import type { UseCases } from '../../application/zkeb'
import type { ObjectId, SnapshotId } from '../../domain/snapshot'
import {
  aPackOf,
  aSnapshotCaller,
  aSnapshotInput,
  idsOf,
  packInput,
  type SnapshotCaller,
} from '../application/snapshot-kit'
import { inMemoryZkeb } from '../support/in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { inPieces, ok } from '../support/test-client'

const accountFilter = /(?:"?\w+"?\.)?"?account_id"?\s*=\s*(\$\d+)/g

type Unscoped = Readonly<{ knex: Knex; removed: () => number }>

/** A pool whose every statement loses its `account_id = $n` conditions (the parameter stays bound). */
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

const zkebOver = async (knex: Knex) => {
  const sessions = inMemorySessionStore()
  return inMemoryZkeb({
    accounts: knexAccountRepository(knex),
    devices: knexDeviceRepository(knex),
    backups: knexBackupRepository(knex),
    audit: knexAuditRepository(knex),
    blobs: knexBlobStore(knex),
    snapshotAccounts: knexSnapshotAccounts(knex),
    sessions,
    unitOfWork: knexUnitOfWork(knex, { kind: 'store', store: sessions }),
  })
}

type Party = SnapshotCaller & Readonly<{ ids: ObjectId[]; snapshotId: SnapshotId }>

const aParty = async (z: Awaited<ReturnType<typeof zkebOver>>): Promise<Party> => {
  const who = await aSnapshotCaller(z)
  const pack = aPackOf([100, 200])
  await ok(z.useCases.putPack(packInput(pack), inPieces(pack.bytes), who.caller))
  const input = aSnapshotInput(who, idsOf(pack))
  await ok(z.useCases.createSnapshot(input, who.caller))
  return { ...who, ids: idsOf(pack), snapshotId: input.snapshotId }
}

/** What A can learn of or do to B's snapshots with the owner checks gone. */
const crossAccountAttempts = async (uc: UseCases, a: Party, b: Party) => {
  const tag = <L extends { _tag: string }, R>(r: E.Either<L, R>) => (E.isLeft(r) ? r.left._tag : 'Right')
  const listed = await ok(uc.listSnapshots({ limit: 200 } as never, a.caller))
  return {
    has: (await ok(uc.hasObjects({ ids: b.ids }, a.caller))).present.length,
    read: tag(await uc.readObjects({ ids: b.ids }, a.caller)()),
    create: tag(await uc.createSnapshot(aSnapshotInput(a, b.ids), a.caller)()),
    get: tag(await uc.getSnapshot({ snapshotId: b.snapshotId }, a.caller)()),
    refs: tag(await uc.getSnapshotRefs({ snapshotId: b.snapshotId }, a.caller)()),
    forget: tag(await uc.deleteSnapshot({ snapshotId: b.snapshotId }, a.caller)()),
    listedOthers: listed.items.filter((s) => s.accountId !== a.caller.accountId).length,
    stats: (await ok(uc.getSnapshotStats(a.caller))).objects,
  }
}

describe('attacks: row-level security alone keeps snapshots apart, with the owner checks switched off', function () {
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

  it('answers nothing about another account’s objects and snapshots as zkeb_app', async () => {
    const z = await zkebOver(asApp.knex)
    const [a, b] = [await aParty(z), await aParty(z)]
    const removedBefore = asApp.removed()
    const seen = await crossAccountAttempts(z.useCases, a, b)
    expect(asApp.removed() - removedBefore, 'account filters removed').to.be.at.least(8)
    expect(seen).to.deep.equal({
      has: 0,
      read: 'ObjectsNotFound',
      create: 'RefsMissing',
      get: 'SnapshotNotFound',
      refs: 'SnapshotNotFound',
      forget: 'SnapshotNotFound',
      listedOthers: 0,
      stats: 2,
    })
    expect((await ok(z.useCases.getSnapshot({ snapshotId: b.snapshotId }, b.caller))).refCount).to.equal(2)
  })

  it('does leak through the same variant signed in as a superuser: the owner checks really are off', async () => {
    const z = await zkebOver(asSuperuser.knex)
    const [a, b] = [await aParty(z), await aParty(z)]
    const seen = await crossAccountAttempts(z.useCases, a, b)
    expect(seen.has).to.equal(2)
    expect(seen.listedOthers).to.be.greaterThan(0)
  })
})

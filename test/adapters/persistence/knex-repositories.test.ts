/**
 * What only the PostgreSQL adapters can get wrong: corrupt rows, another release's audit types, int8 decoding,
 * the readiness probe.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../../adapters/persistence/knex/knex-backup-repository'
import { knexUnitOfWork } from '../../../adapters/persistence/knex/knex-unit-of-work'
import { knexReadinessProbe } from '../../../adapters/persistence/knex/knex-readiness-probe'
import { left, right, usedBytes } from '../../contracts/harness'
import { aBackup, aDeviceId, anAccount, anAuditDraft } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

describe('knex repositories', () => {
  let db: TestDatabase
  before(async () => {
    db = await createTestDatabase()
  })
  after(() => db.drop())

  it('reports a corrupt row as Unavailable naming the field, never its value', async () => {
    const account = anAccount()
    await right(knexAccountRepository(db.appKnex).create(account))
    const backup = aBackup(account.accountId, aDeviceId())
    await right(knexBackupRepository(db.appKnex).insert(backup))
    await db
      .ownerKnex('zkeb.backups')
      .where({ backup_id: backup.backupId })
      .update({ wrapped_key: Buffer.alloc(0) })
    const failure = await left(knexBackupRepository(db.appKnex).find(account.accountId, backup.backupId))
    expect(failure).to.include({ _tag: 'Unavailable', dependency: 'postgres' })
    expect(String(failure.cause)).to.contain('wrapped_key')
  })

  it('lists an event whose type another release recorded, as it was recorded', async () => {
    const account = anAccount()
    await right(knexAccountRepository(db.appKnex).create(account))
    const audit = knexAuditRepository(db.appKnex)
    const event = await right(audit.append(anAuditDraft(account.accountId), new Date()))
    await db
      .ownerKnex('zkeb.audit_events')
      .where({ event_id: event.eventId })
      .update({ type: 'recorded-by-a-newer-release' })
    const listed = await right(audit.list(account.accountId, { limit: 10, cursor: O.none }))
    expect(listed.map((e) => e.type)).to.deep.equal(['recorded-by-a-newer-release'])
  })

  it('returns byte counts beyond 32 bits as numbers', async () => {
    const account = anAccount()
    await right(knexAccountRepository(db.appKnex).create(account))
    const big = 5 * 1024 ** 3
    await right(
      knexBackupRepository(db.appKnex).insert(aBackup(account.accountId, aDeviceId(), { sizeBytes: big })),
    )
    expect(await usedBytes({ unitOfWork: knexUnitOfWork(db.appKnex) }, account.accountId)).to.equal(big)
  })

  it('answers the database readiness probe, and fails it once the pool is gone', async () => {
    const probe = knexReadinessProbe(db.appKnex)
    expect(probe.name).to.equal('database')
    expect(await probe.check()()).to.deep.equal(E.right(undefined))
    const gone = await createTestDatabase()
    await gone.drop()
    expect((await left(knexReadinessProbe(gone.appKnex).check()))._tag).to.equal('Unavailable')
  })
})

/**
 * One device per Ed25519 key in an account, enforced by PostgreSQL: the migration that adds the unique index
 * succeeds on a database that already holds duplicates (kept, numbered by age), and afterwards no new device can
 * repeat a key of its account, while another account still may.
 */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexDeviceRepository } from '../../../adapters/persistence/knex/knex-device-repository'
import { migrateLatest, migrations } from '../../../adapters/persistence/knex/migrator'
import { deviceExists } from '../../../domain/errors'
import { left, right } from '../../contracts/harness'
import { aDevice, anAccount, at } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const uniqueKeys = '20261228000100_unique_device_keys'
const before = migrations.slice(
  0,
  migrations.findIndex((m) => m.name === uniqueKeys),
)

describe('devices: one per public key within an account (PostgreSQL migration)', function () {
  this.timeout(60_000)
  let db: TestDatabase

  afterEach(() => db?.drop())

  it('migrates a database that already holds duplicate keys, keeping every device', async () => {
    expect(before.length, 'the migration is listed').to.be.lessThan(migrations.length)
    db = await createTestDatabase(before)
    const accounts = knexAccountRepository(db.appKnex)
    const devices = knexDeviceRepository(db.appKnex)
    const alice = anAccount()
    const bob = anAccount()
    await right(accounts.create(alice))
    await right(accounts.create(bob))
    const original = aDevice(alice.accountId, { createdAt: at(0) })
    const copies = [1, 2, 3].map((i) =>
      aDevice(alice.accountId, { publicKey: original.publicKey, createdAt: at(i * 1000) }),
    )
    for (const device of [original, ...copies]) await right(devices.add(device))
    await right(devices.save({ ...copies[0]!, revokedAt: O.some(at(5000)) }))

    await migrateLatest(db.ownerKnex)

    const kept = await right(devices.list(alice.accountId))
    expect(kept.map((d) => d.deviceId)).to.deep.equal([original, ...copies].map((d) => d.deviceId))
    expect(
      await left(devices.add(aDevice(alice.accountId, { publicKey: original.publicKey }))),
    ).to.deep.equal(deviceExists)
    await right(devices.add(aDevice(bob.accountId, { publicKey: original.publicKey })))
    const index = await db.ownerKnex.raw<{ rows: Array<{ valid: boolean }> }>(
      `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
       where c.relname = 'devices_key_per_account'`,
    )
    expect(index.rows).to.deep.equal([{ valid: true }])
  })
})

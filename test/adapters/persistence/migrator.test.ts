import { expect } from 'chai'
import { createKnex } from '../../../adapters/persistence/knex/create-knex'
import { migrateLatest, migrationStatus } from '../../../adapters/persistence/knex/migrator'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

describe('migrations', () => {
  let db: TestDatabase
  before(async () => {
    db = await createTestDatabase()
  })
  after(() => db.drop())

  it('counts every migration as pending on a database never migrated, without creating anything', async () => {
    const name = `${db.name}_bare`
    await db.ownerKnex.raw(`create database ${name}`)
    const url = new URL(db.ownerUrl)
    url.pathname = `/${name}`
    const bare = createKnex({ url: url.toString(), poolMax: 1 })
    try {
      expect(await migrationStatus(bare)).to.deep.equal({ pending: 3 })
      expect(
        (await bare.raw<{ rows: unknown[] }>("select 1 from pg_namespace where nspname = 'zkeb'")).rows,
      ).to.deep.equal([])
      expect(await migrateLatest(bare)).to.have.length(3)
      expect(await migrationStatus(bare)).to.deep.equal({ pending: 0 })
    } finally {
      await bare.destroy()
      await db.ownerKnex.raw(`drop database ${name} with (force)`)
    }
  })

  it('applies nothing twice and keeps its bookkeeping in schema zkeb', async () => {
    expect(await migrateLatest(db.ownerKnex)).to.deep.equal([])
    const names = await db.ownerKnex('zkeb.knex_migrations').orderBy('id').pluck('name')
    expect(names).to.deep.equal([
      '20261126000000_create_schema',
      '20261126000100_secure_schema',
      '20261127000900_storage_totals',
    ])
  })
})

import { expect } from 'chai'
import { createKnex } from '../../../adapters/persistence/knex/create-knex'
import { checkGate } from '../../../adapters/composition/readiness-gate'
import {
  migrateDown,
  migrateLatest,
  migrations,
  migrationStatus,
} from '../../../adapters/persistence/knex/migrator'
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
      expect(await migrationStatus(bare)).to.deep.equal({
        applied: [],
        pending: migrations.length,
        waiting: [],
      })
      expect(
        (await bare.raw<{ rows: unknown[] }>("select 1 from pg_namespace where nspname = 'zkeb'")).rows,
      ).to.deep.equal([])
      expect(await migrateLatest(bare)).to.have.length(migrations.length)
      expect(await migrationStatus(bare)).to.include({ pending: 0 })
    } finally {
      await bare.destroy()
      await db.ownerKnex.raw(`drop database ${name} with (force)`)
    }
  })

  it('applies nothing twice and keeps its bookkeeping in schema zkeb', async () => {
    expect(await migrateLatest(db.ownerKnex)).to.deep.equal([])
    const names = await db.ownerKnex('zkeb.knex_migrations').orderBy('id').pluck('name')
    expect(names).to.deep.equal(migrations.map((m) => m.name))
  })

  it('lets an older release (blue) start and report status after a newer one (green) migrated further', async () => {
    const older = migrations.slice(0, -1)
    const newest = migrations[migrations.length - 1]!.name
    expect(await migrateLatest(db.ownerKnex)).to.deep.equal([]) // green: everything applied
    const status = await migrationStatus(db.ownerKnex, older)
    expect(status).to.deep.include({ pending: 0, waiting: [] })
    expect(status.applied).to.include(newest)
    expect(await migrateLatest(db.ownerKnex, older)).to.deep.equal([])
    const names = await db.ownerKnex('zkeb.knex_migrations').orderBy('id').pluck('name')
    expect(names).to.deep.equal(migrations.map((m) => m.name))
    // What the readiness gate asks of blue: nothing of its own pending, so it takes traffic.
    const gate = await checkGate({
      pendingMigrations: async () => (await migrationStatus(db.ownerKnex, older)).pending,
      checkReadiness: () => () => Promise.resolve({ ready: true, checks: { database: 'ok' } } as never),
      logger: undefined as never,
    })
    expect(gate).to.deep.equal({ ready: true, pendingMigrations: 0, failing: [] })
    // Blue must not revert its own newest migration underneath green's.
    const refused = await migrateDown(db.ownerKnex, older).catch((e: Error) => e.message)
    expect(refused).to.equal(
      `migrate down: ${newest} applied by a newer release; revert with that release first`,
    )
    const after = await db.ownerKnex('zkeb.knex_migrations').orderBy('id').pluck('name')
    expect(after).to.deep.equal(migrations.map((m) => m.name))
  })

  it("still counts an older release's own unapplied migrations as pending", async () => {
    const name = migrations[migrations.length - 2]!.name
    const row = await db.ownerKnex<Record<string, unknown>>('zkeb.knex_migrations').where({ name }).first()
    await db.ownerKnex('zkeb.knex_migrations').where({ name }).delete()
    try {
      expect(await migrationStatus(db.ownerKnex, migrations.slice(0, -1))).to.include({ pending: 1 })
    } finally {
      await db.ownerKnex('zkeb.knex_migrations').insert(row!)
    }
  })
})

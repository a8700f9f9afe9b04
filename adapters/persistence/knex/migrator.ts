/**
 * Knows which migrations exist and applies them. They are listed here, not discovered from a folder, so the
 * same code runs under tsx (.ts sources) and compiled (dist/*.js). knex's bookkeeping lives in schema `zkeb`.
 * Run as the schema owner (never as `zkeb_app`): from the migrate command, or a deploy's pre-start step.
 */
import type { Knex } from 'knex'
import * as createSchema from '../../../migrations/20261126000000_create_schema'
import * as secureSchema from '../../../migrations/20261126000100_secure_schema'
import * as storageTotals from '../../../migrations/20261127000900_storage_totals'

type Migration = Readonly<{ name: string; module: Knex.Migration }>

const migrations: ReadonlyArray<Migration> = [
  { name: '20261126000000_create_schema', module: createSchema },
  { name: '20261126000100_secure_schema', module: secureSchema },
  { name: '20261127000900_storage_totals', module: storageTotals },
]

const schemaName = 'zkeb'
const tableName = 'knex_migrations'

const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: () => Promise.resolve([...migrations]),
  getMigrationName: (migration) => migration.name,
  getMigration: (migration) => Promise.resolve(migration.module),
}

const config: Knex.MigratorConfig = { migrationSource, schemaName, tableName }

/** Applies every pending migration (each in its own transaction, under knex's lock); returns their names. */
export const migrateLatest = async (ownerKnex: Knex): Promise<ReadonlyArray<string>> => {
  await ownerKnex.raw(`create schema if not exists ${schemaName}`)
  const [, applied] = (await ownerKnex.migrate.latest(config)) as [number, string[]]
  return applied
}

/** How many migrations are not applied yet; reads only, so it is safe against a database never migrated. */
export const migrationStatus = async (ownerKnex: Knex): Promise<{ readonly pending: number }> => {
  const found = await ownerKnex.raw<{ rows: Array<{ table: string | null }> }>(
    'select to_regclass(?)::text as table',
    [`${schemaName}.${tableName}`],
  )
  if (found.rows[0]?.table == null) return { pending: migrations.length }
  const done = await ownerKnex.withSchema(schemaName).from(tableName).select<Array<{ name: string }>>('name')
  const applied = new Set(done.map((row) => row.name))
  return { pending: migrations.filter((m) => !applied.has(m.name)).length }
}

/**
 * Knows which migrations exist and applies them. They are listed here, not discovered from a folder, so the
 * same code runs under tsx (.ts sources) and compiled (dist/*.js). knex's bookkeeping lives in schema `zkeb`.
 * Run as the schema owner (never as `zkeb_app`): from the migrate command, or a deploy's pre-start step.
 * Migrations follow expand/contract (docs/operations.md): a contract step may export `waitingFor`, and the
 * migrator stops before it, without failing, until its backfill is complete.
 */
import type { Knex } from 'knex'
import * as createSchema from '../../../migrations/20261126000000_create_schema'
import * as secureSchema from '../../../migrations/20261126000100_secure_schema'
import * as blobGarbageCollection from '../../../migrations/20261127000000_blob_garbage_collection'
import * as restic from '../../../migrations/20261127000200_restic'
import * as expandAccountAccounting from '../../../migrations/20261201000000_expand_account_accounting'
import * as adminReports from '../../../migrations/20261201000100_admin_reports'
import * as tightenUsedBytes from '../../../migrations/20261215000000_tighten_accounts_used_bytes'
import * as storageTotals from '../../../migrations/20261216000000_storage_totals'
import * as durableSessions from '../../../migrations/20261220000000_durable_sessions'
import * as uploadSessions from '../../../migrations/20261221000000_upload_sessions'
import * as blobFolderInstances from '../../../migrations/20261228000000_blob_folder_instances'
import * as snapshots from '../../../migrations/20261228000001_snapshots'
import * as snapshotMaintenance from '../../../migrations/20261228000002_snapshot_maintenance'
import * as uniqueDeviceKeys from '../../../migrations/20261228000100_unique_device_keys'
import * as resticTokenScope from '../../../migrations/20261228000200_restic_token_scope'
import * as adminAccountListing from '../../../migrations/20261228000300_admin_account_listing'
import * as secondFactors from '../../../migrations/20261228000400_second_factors'
import * as keyRotations from '../../../migrations/20261228000500_key_rotations'

export type MigrationModule = Knex.Migration &
  Readonly<{
    config?: Readonly<{ transaction?: boolean }>
    /** Why the migration cannot run yet (a backfill still going), or null. Asked only once all earlier ones ran. */
    waitingFor?: (ownerKnex: Knex) => Promise<string | null>
  }>

export type Migration = Readonly<{ name: string; module: MigrationModule }>

/** In order of application. Append only; never edit one that has shipped. */
export const migrations: ReadonlyArray<Migration> = [
  { name: '20261126000000_create_schema', module: createSchema },
  { name: '20261126000100_secure_schema', module: secureSchema },
  { name: '20261127000000_blob_garbage_collection', module: blobGarbageCollection },
  { name: '20261127000200_restic', module: restic },
  { name: '20261201000000_expand_account_accounting', module: expandAccountAccounting },
  { name: '20261201000100_admin_reports', module: adminReports },
  { name: '20261215000000_tighten_accounts_used_bytes', module: tightenUsedBytes },
  { name: '20261216000000_storage_totals', module: storageTotals },
  { name: '20261220000000_durable_sessions', module: durableSessions },
  { name: '20261221000000_upload_sessions', module: uploadSessions },
  { name: '20261228000000_blob_folder_instances', module: blobFolderInstances },
  { name: '20261228000001_snapshots', module: snapshots },
  { name: '20261228000002_snapshot_maintenance', module: snapshotMaintenance },
  { name: '20261228000100_unique_device_keys', module: uniqueDeviceKeys },
  { name: '20261228000200_restic_token_scope', module: resticTokenScope },
  { name: '20261228000300_admin_account_listing', module: adminAccountListing },
  { name: '20261228000400_second_factors', module: secondFactors },
  { name: '20261228000500_key_rotations', module: keyRotations },
]

const schemaName = 'zkeb'
const tableName = 'knex_migrations'

const sourceOf = (list: ReadonlyArray<Migration>): Knex.MigrationSource<Migration> => ({
  getMigrations: () => Promise.resolve([...list]),
  getMigrationName: (migration) => migration.name,
  getMigration: (migration) => Promise.resolve(migration.module),
})

/**
 * knex refuses to work when the database lists a migration this code does not have ("corrupt migration
 * directory"). In a blue-green deploy that is normal: the newer release (green) migrated first, and the older
 * one (blue) must keep starting and reporting status, or a rollback is impossible. Expand/contract makes the
 * newer schema safe for it, so such migrations are ignored here; only this code's own ones are pending.
 */
const configOf = (list: ReadonlyArray<Migration>): Knex.MigratorConfig => ({
  migrationSource: sourceOf(list),
  schemaName,
  tableName,
  disableMigrationsListValidation: true,
})

export type MigrationStatus = Readonly<{
  /** Applied, oldest first. */
  applied: ReadonlyArray<string>
  /** Not applied and free to run now (0 once `migrateLatest` has run). */
  pending: number
  /** The first migration held back, and why; the ones after it wait too. */
  waiting: ReadonlyArray<Readonly<{ name: string; reason: string }>>
}>

const appliedNames = async (ownerKnex: Knex): Promise<ReadonlyArray<string>> => {
  const found = await ownerKnex.raw<{ rows: Array<{ table: string | null }> }>(
    'select to_regclass(?)::text as table',
    [`${schemaName}.${tableName}`],
  )
  if (found.rows[0]?.table == null) return []
  return ownerKnex.withSchema(schemaName).from(tableName).orderBy('id').pluck<string[]>('name')
}

/** Reads only, so it is safe against a database never migrated. Gates are asked only when they could run. */
export const migrationStatus = async (
  ownerKnex: Knex,
  list: ReadonlyArray<Migration> = migrations,
): Promise<MigrationStatus> => {
  const applied = await appliedNames(ownerKnex)
  const done = new Set(applied)
  const notApplied = list.filter((m) => !done.has(m.name))
  const [next] = notApplied
  const reason = next?.module.waitingFor !== undefined ? await next.module.waitingFor(ownerKnex) : null
  if (reason === null || next === undefined) return { applied, pending: notApplied.length, waiting: [] }
  return { applied, pending: 0, waiting: notApplied.map((m) => ({ name: m.name, reason })) }
}

/**
 * Applies pending migrations one at a time (each in its own transaction unless it opts out, under knex's
 * lock), stopping before one that is waiting for a backfill. Returns the names applied by this call.
 */
export const migrateLatest = async (
  ownerKnex: Knex,
  list: ReadonlyArray<Migration> = migrations,
): Promise<ReadonlyArray<string>> => {
  await ownerKnex.raw(`create schema if not exists ${schemaName}`)
  const config = configOf(list)
  const [, pending] = (await ownerKnex.migrate.list(config)) as [unknown, Array<{ name: string }>]
  const applied: string[] = []
  for (const { name } of pending) {
    const migration = list.find((m) => m.name === name)
    if ((await migration?.module.waitingFor?.(ownerKnex)) != null) break
    const [, ran] = (await ownerKnex.migrate.up({ ...config, name })) as [number, string[]]
    applied.push(...ran)
  }
  return applied
}

/**
 * Reverts the most recent migration (an emergency path: a contract step's down cannot restore data). Refused
 * when a newer release applied migrations this code does not know: knex would revert this code's newest one
 * underneath them. Revert those with the release that has them.
 */
export const migrateDown = async (
  ownerKnex: Knex,
  list: ReadonlyArray<Migration> = migrations,
): Promise<ReadonlyArray<string>> => {
  const known = new Set(list.map((m) => m.name))
  const unknown = (await appliedNames(ownerKnex)).filter((name) => !known.has(name))
  if (unknown.length > 0)
    throw new Error(
      `migrate down: ${unknown.join(', ')} applied by a newer release; revert with that release first`,
    )
  const [, reverted] = (await ownerKnex.migrate.down(configOf(list))) as [number, string[]]
  return reverted
}

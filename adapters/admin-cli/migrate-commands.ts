/**
 * `zkeb-admin migrate up|down|status`: the migrator over the owner's connection (DATABASE_URL, or the
 * embedded PostgreSQL in DATA_DIR, which must not be in use). It never boots the application, which would
 * migrate up first.
 */
import { describeUrl } from '../composition/database'
import { startEmbeddedPostgres } from '../composition/embedded-postgres'
import type { Config } from '../composition/config'
import { createKnex } from '../persistence/knex/create-knex'
import { migrateDown, migrateLatest, migrationStatus } from '../persistence/knex/migrator'
import { AdminError, ExitCode, type Output } from './output'

const withOwner = async <A>(
  config: Config,
  work: (knex: ReturnType<typeof createKnex>, where: string) => Promise<A>,
) => {
  const embedded = config.databaseUrl === null ? await startEmbeddedPostgres(config.dataDir) : null
  const url = config.databaseUrl ?? embedded!.ownerUrl
  const knex = createKnex({ url, poolMax: 1, applicationName: 'zkeb-admin', statementTimeoutMs: 0 })
  try {
    return await work(knex, describeUrl(url))
  } finally {
    await knex.destroy()
    await embedded?.stop()
  }
}

export const migrateCommand = async (
  config: Config,
  action: string | undefined,
  out: Output,
): Promise<number> => {
  if (action !== 'up' && action !== 'down' && action !== 'status')
    throw new AdminError(ExitCode.usage, 'usage: zkeb-admin migrate up|down|status')
  return withOwner(config, async (knex, where) => {
    const changed =
      action === 'up' ? await migrateLatest(knex) : action === 'down' ? await migrateDown(knex) : []
    const status = await migrationStatus(knex)
    const verb = action === 'down' ? 'reverted' : 'applied'
    const lines = [
      ...changed.map((name) => `${verb} ${name}`),
      `${where}: ${status.applied.length} applied, ${status.pending} pending, ${status.waiting.length} waiting`,
      ...status.waiting.slice(0, 1).map((w) => `waiting: ${w.name} (${w.reason})`),
    ]
    out.result(lines.join('\n'), { [verb]: changed, ...status })
    return status.pending > 0 ? ExitCode.pending : ExitCode.ok
  })
}

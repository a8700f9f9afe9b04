/**
 * `zkeb-admin migrate up|down|status`: the migrator over the owner's connection (DATABASE_URL, or the
 * embedded PostgreSQL in DATA_DIR, which must not be in use), reported as lines or JSON.
 */
import type { AdminHost } from './host'
import { AdminError, ExitCode, type Output } from './output'

export const migrateCommand = async (
  host: AdminHost,
  action: string | undefined,
  out: Output,
): Promise<number> => {
  if (action !== 'up' && action !== 'down' && action !== 'status')
    throw new AdminError(ExitCode.usage, 'usage: zkeb-admin migrate up|down|status')
  const { where, changed, ...status } = await host.migrate(action)
  const verb = action === 'down' ? 'reverted' : 'applied'
  const lines = [
    ...changed.map((name) => `${verb} ${name}`),
    `${where}: ${status.applied.length} applied, ${status.pending} pending, ${status.waiting.length} waiting`,
    ...status.waiting.slice(0, 1).map((w) => `waiting: ${w.name} (${w.reason})`),
  ]
  out.result(lines.join('\n'), { [verb]: changed, ...status })
  return status.pending > 0 ? ExitCode.pending : ExitCode.ok
}

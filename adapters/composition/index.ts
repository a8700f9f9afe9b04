/**
 * ZKEB as a library: the application in-process, for internal tools (imports, admin scripts, tests) that
 * drive the use cases directly. It opens no port; `npm start` (main.ts) is the HTTP server.
 *
 * ```ts
 * import { createZkeb, loadConfig } from 'zkeb'
 * const zkeb = await createZkeb(loadConfig({ DATA_DIR: '/tmp/zkeb-tool' }))
 * const readiness = await zkeb.useCases.checkReadiness()()
 * await zkeb.close()
 * ```
 */
import pino, { type Logger } from 'pino'
import type { AdminUseCases } from '../../application/admin'
import type { UseCases } from '../../application/zkeb'
import type { Config } from './config'
import { startRuntime } from './runtime'

export type Zkeb = Readonly<{
  useCases: UseCases
  /** The operator's use cases (zkeb-admin): accounts, backfills, maintenance. Never routed over HTTP. */
  admin: AdminUseCases
  /** Closes the database pool and stops the embedded PostgreSQL this instance started. Idempotent. */
  close: () => Promise<void>
}>

export type ZkebOptions = Readonly<{
  /** Defaults to a silent logger: a library does not write to stdout unasked. */
  logger?: Logger
}>

/**
 * Boots the application without HTTP: the embedded PostgreSQL under `config.dataDir` when `config.databaseUrl`
 * is null (one process per DATA_DIR), migrations, then every use case wired to real adapters; with
 * `config.persistence` 'memory', every use case on the in-memory twins, with no database and nothing on disk.
 */
export const createZkeb = async (config: Config, options: ZkebOptions = {}): Promise<Zkeb> => {
  const runtime = await startRuntime(config, options.logger ?? pino({ level: 'silent' }))
  return { useCases: runtime.useCases, admin: runtime.admin, close: runtime.close }
}

export { decodeConfig, loadConfig, formatConfigErrors, type Config, type ConfigError } from './config'
export { StartupError } from './startup-error'
export type { UseCases } from '../../application/zkeb'
export type { AdminUseCases } from '../../application/admin'

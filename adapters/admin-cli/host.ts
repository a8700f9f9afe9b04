/**
 * What zkeb-admin needs from the composition root (adapters/composition/admin-main.ts), which alone knows the
 * configuration, the database and the other adapters: the admin use cases (in-process, or the served ones over
 * a running server's admin socket), and the migrator.
 */
import type { AdminUseCases } from '../../application/admin'
import type { AdminIo, Output } from './output'
import type { ServedAdmin } from './socket-protocol'

export type MigrateAction = 'up' | 'down' | 'status'

export type BlobsFlags = Readonly<{ to: string | undefined; throttleMs: number | undefined }>

export type MigrationReport = Readonly<{
  /** The database, as the operator may see it (never its password). */
  where: string
  /** What `up` applied or `down` reverted, oldest first; empty for `status`. */
  changed: ReadonlyArray<string>
  /** Applied, oldest first. */
  applied: ReadonlyArray<string>
  /** Not applied and free to run now. */
  pending: number
  /** The first migration held back, and why; the ones after it wait too. */
  waiting: ReadonlyArray<Readonly<{ name: string; reason: string }>>
}>

/**
 * One run's access to the server, from its configuration. Every failure the operator can fix (configuration,
 * a busy DATA_DIR, an unreachable database at boot) arrives as AdminError(ExitCode.unavailable).
 */
export type AdminHost = Readonly<{
  /** Boots the application without HTTP, runs `work`, then closes it. */
  withAdmin: <A>(work: (admin: AdminUseCases) => Promise<A>) => Promise<A>
  /**
   * The account use cases and the statistics: over the admin socket of the server that holds DATA_DIR when
   * one serves it (so they work while `npm start` runs), otherwise in-process as withAdmin. `requestId` names
   * the run in the server's log.
   */
  withServed: <A>(requestId: string, work: (admin: ServedAdmin) => Promise<A>) => Promise<A>
  /** Runs the migrator over the owner's connection; it never boots the application (which would migrate up). */
  migrate: (action: MigrateAction) => Promise<MigrationReport>
  /** `blobs ACTION`: moves blobs between PostgreSQL and the blob folder; resolves to the exit code. */
  blobs: (action: string | undefined, flags: BlobsFlags, out: Output) => Promise<number>
  /** `backup` and `restore` of the service itself, with their own flags; resolves to the exit code. */
  disasterRecovery: (argv: ReadonlyArray<string>, io: AdminIo) => Promise<number>
}>

/** Reads the server's configuration from `env`; called once the command line is known to be valid. */
export type OpenAdminHost = (env: AdminIo['env']) => AdminHost

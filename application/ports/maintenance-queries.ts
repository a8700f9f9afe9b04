import type * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'

/** Counts across the whole service, for operators. Sizes are of ciphertext; nothing here reveals content. */
export type ServiceStats = Readonly<{
  accounts: number
  disabledAccounts: number
  liveBackups: number
  trashedBackups: number
  /** Bytes named by backup records (live and trashed). */
  backupBytes: number
  blobs: number
  /** Bytes held by blobs, referenced or not. */
  blobBytes: number
}>

/**
 * Read-only questions across accounts that only maintenance asks (the admin CLI), answered with counts. Implementations: adapters/persistence/knex (SECURITY DEFINER functions), adapters/in-memory.
 * Contract: test/contracts/maintenance-queries.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type MaintenanceQueries = {
  readonly stats: () => TE.TaskEither<Unavailable, ServiceStats>
}

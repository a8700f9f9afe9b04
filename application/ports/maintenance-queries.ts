import type * as TE from 'fp-ts/TaskEither'
import type { AccountId, BlobId } from '../../domain/ids'
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

export type OrphanBlob = Readonly<{ accountId: AccountId; blobId: BlobId }>

/**
 * Read-only questions across accounts that only maintenance asks (the admin CLI), answered with counts and
 * ids. Implementations: adapters/persistence/knex (SECURITY DEFINER functions), adapters/in-memory.
 * Contract: test/contracts/maintenance-queries.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type MaintenanceQueries = {
  readonly stats: () => TE.TaskEither<Unavailable, ServiceStats>
  /**
   * Blobs no backup record names, written before `createdBefore`, oldest first. The cutoff is the guard for
   * uploads in flight: their blob exists before their record does.
   */
  readonly orphanBlobs: (
    createdBefore: Date,
    limit: number,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<OrphanBlob>>
}

import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId, Username } from '../../domain/ids'
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

/** One account as an operator's listing shows it: no key material, no OPAQUE record. */
export type AccountListing = Readonly<{
  accountId: AccountId
  username: Username
  createdAt: Date
  disabledAt: O.Option<Date>
  quotaLimitBytes: number
  /** Bytes the account stores (backups live and trashed, restic objects), as its quota counts them. */
  usedBytes: number
}>

export type AccountListingQuery = Readonly<{
  /** Only accounts whose username sorts after this one (letter case ignored); `none` from the first. */
  after: O.Option<Username>
  limit: number
}>

/**
 * Read-only questions across accounts that only maintenance asks (the admin CLI). Implementations:
 * adapters/persistence/knex (SECURITY DEFINER functions), adapters/in-memory.
 * Contract: test/contracts/maintenance-queries.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type MaintenanceQueries = {
  readonly stats: () => TE.TaskEither<Unavailable, ServiceStats>
  /**
   * Accounts by username in byte order of its lower-case form (usernames are ASCII), after `query.after`; up
   * to `limit + 1` of them, so the caller can tell whether another page follows.
   */
  readonly listAccounts: (
    query: AccountListingQuery,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<AccountListing>>
}

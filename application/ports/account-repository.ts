import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import type { UsernameTaken, VersionMismatch } from '../../domain/errors'
import type { AccountId, Username } from '../../domain/ids'
import type { Unavailable } from '../errors'

/**
 * Durable accounts. Implementations: adapters/persistence/knex, adapters/in-memory.
 * Contract: test/contracts/account-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type AccountRepository = {
  /** Left(UsernameTaken) when the username is in use, whatever its letter case. */
  readonly create: (account: Account) => TE.TaskEither<Unavailable | UsernameTaken, void>
  readonly findById: (accountId: AccountId) => TE.TaskEither<Unavailable, O.Option<Account>>
  /** Case-insensitive. Used before the caller is authenticated (login, recovery). */
  readonly findByUsername: (username: Username) => TE.TaskEither<Unavailable, O.Option<Account>>
  /**
   * Stores `account` (OPAQUE record, key bundle, version) if the stored version is still `expectedVersion`;
   * otherwise Left(VersionMismatch) with the stored version.
   */
  readonly save: (
    account: Account,
    expectedVersion: number,
  ) => TE.TaskEither<Unavailable | VersionMismatch, void>
  /** Erases the account and everything it owns (devices, backups, audit). Blobs are the BlobStore's. */
  readonly delete: (accountId: AccountId) => TE.TaskEither<Unavailable, void>
}

import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId, BackupId } from '../../domain/ids'
import type { StagedRotation } from '../../domain/key-rotation'
import type { Unavailable } from '../errors'
import type { RewrappedKey } from './backup-repository'

/**
 * The staged key rotations (issue #21): at most one per account, with the re-wrapped data keys uploaded so far.
 * Scoped to one account like the other account tables (row-level security in PostgreSQL); reached only through
 * an account's transaction (UnitOfWork), where the use cases hold the account's lock.
 * Implementations: adapters/persistence/knex/knex-key-rotation-repository.ts,
 * adapters/in-memory/in-memory-key-rotation-repository.ts. No contract suite of its own yet: the use-case suite
 * test/application/key-rotation.test.ts runs against both.
 */
export type KeyRotationRepository = {
  readonly find: (accountId: AccountId) => TE.TaskEither<Unavailable, O.Option<StagedRotation>>
  /** Stores the rotation in place of any other of the account, whose staged keys go with it. */
  readonly begin: (rotation: StagedRotation) => TE.TaskEither<Unavailable, void>
  readonly setExpiresAt: (accountId: AccountId, expiresAt: Date) => TE.TaskEither<Unavailable, void>
  /** Stores each key for the account's rotation, replacing one staged before for the same backup. */
  readonly stage: (
    accountId: AccountId,
    keys: ReadonlyArray<RewrappedKey>,
  ) => TE.TaskEither<Unavailable, void>
  /**
   * The account's backups (live and trashed) with no staged key yet, with their current wrapped key, by backup
   * id ascending after `after`, at most `limit`.
   */
  readonly pending: (
    accountId: AccountId,
    after: O.Option<BackupId>,
    limit: number,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<RewrappedKey>>
  /** How many backups the account stores, and how many of them have a staged key. */
  readonly counts: (accountId: AccountId) => TE.TaskEither<Unavailable, { backups: number; staged: number }>
  /**
   * Stores every staged key into its backup, stamped `keyVersion`, then drops the rotation. Staged keys of
   * backups purged meanwhile are dropped with it.
   */
  readonly apply: (accountId: AccountId, keyVersion: number) => TE.TaskEither<Unavailable, void>
  readonly remove: (accountId: AccountId) => TE.TaskEither<Unavailable, void>
}

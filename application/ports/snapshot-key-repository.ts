import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { SnapshotKey, WrappedSnapshotKey } from '../../domain/snapshot'
import type { SnapshotKeyExists } from '../../domain/snapshot-errors'
import type { Unavailable } from '../errors'

/**
 * Each account's wrapped repository key (protocol v1.1 §2): one per account, opaque to the server, re-wrapped
 * by key rotations. Account-scoped (row-level security in PostgreSQL), handed out inside a UnitOfWork.
 * Implementations: adapters/persistence/knex/knex-snapshot-key-repository.ts, adapters/in-memory.
 * Contract: test/contracts/snapshot-key-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type SnapshotKeyRepository = {
  readonly find: (accountId: AccountId) => TE.TaskEither<Unavailable, O.Option<SnapshotKey>>
  /** Stores the account's first key; Left(SnapshotKeyExists) once it has one, whatever its bytes. */
  readonly insert: (key: SnapshotKey) => TE.TaskEither<Unavailable | SnapshotKeyExists, void>
  /** Replaces the wrapped bytes (a key rotation) and keeps createdAt; false when the account has no key. */
  readonly rewrap: (
    accountId: AccountId,
    wrappedKey: WrappedSnapshotKey,
  ) => TE.TaskEither<Unavailable, boolean>
}

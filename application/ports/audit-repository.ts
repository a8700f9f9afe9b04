import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AuditDraft, AuditEvent } from '../../domain/audit'
import type { AccountId } from '../../domain/ids'
import type { Cursor } from '../../domain/pagination'
import type { Unavailable } from '../errors'

/**
 * The per-account hash-chained audit trail. `append` assigns the event id and links the chain under a
 * per-account lock, so concurrent appends never fork it.
 * Implementations: adapters/persistence/knex, adapters/in-memory.
 * Contract: test/contracts/audit-repository.contract.ts. Lazy; never rejects.
 */
export type AuditRepository = {
  readonly append: (draft: AuditDraft, at: Date) => TE.TaskEither<Unavailable, AuditEvent>
  /** Oldest first, after `cursor`; up to `limit + 1` rows so the caller can tell a next page. */
  readonly list: (
    accountId: AccountId,
    query: Readonly<{ limit: number; cursor: O.Option<Cursor> }>,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<AuditEvent>>
}

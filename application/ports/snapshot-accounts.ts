import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { Unavailable } from '../errors'

/**
 * Which accounts hold snapshot packs, across accounts, for the snapshot collector (maintenance only): ids only,
 * in id order, strictly after `after`, at most `limit`; fewer than `limit` means the listing is over.
 * Implementations: adapters/persistence/knex (a SECURITY DEFINER function), adapters/in-memory.
 * Contract: test/contracts/snapshot-object-index.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type SnapshotAccounts = {
  readonly list: (
    after: O.Option<AccountId>,
    limit: number,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<AccountId>>
}

import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type {
  ResticFolderType,
  ResticListEntry,
  ResticObject,
  ResticObjectExists,
  ResticObjectRef,
  ResticRepoName,
} from '../../domain/restic'
import type { Unavailable } from '../errors'

/**
 * The records of restic objects: which blob holds each object's bytes. Their sizes count against the
 * account's quota together with its backups (QuotaLedger.usage includes them); the use case checks it.
 * Implementations: adapters/persistence/knex (row-level security per account), adapters/in-memory.
 * Contract: test/contracts/restic-object-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type ResticObjectRepository = {
  readonly find: (
    accountId: AccountId,
    ref: ResticObjectRef,
  ) => TE.TaskEither<Unavailable, O.Option<ResticObject>>
  /** Every object of one type in one repository, in no particular order. */
  readonly list: (
    accountId: AccountId,
    repo: ResticRepoName,
    type: ResticFolderType,
  ) => TE.TaskEither<Unavailable, ReadonlyArray<ResticListEntry>>
  /** Makes the object visible. Left(ResticObjectExists) when the name is taken. */
  readonly insert: (object: ResticObject) => TE.TaskEither<Unavailable | ResticObjectExists, void>
  /** Removes the record and returns it (its blob is then the caller's to delete); `none` if it was absent. */
  readonly remove: (
    accountId: AccountId,
    ref: ResticObjectRef,
  ) => TE.TaskEither<Unavailable, O.Option<ResticObject>>
}

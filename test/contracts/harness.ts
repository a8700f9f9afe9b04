/** What every persistence contract suite receives from an adapter family (in-memory twins or knex). */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { AuditRepository } from '../../application/ports/audit-repository'
import type { BackupRepository } from '../../application/ports/backup-repository'
import type { BlobStore } from '../../application/ports/blob-store'
import type { DeviceRepository } from '../../application/ports/device-repository'
import type { UnitOfWork } from '../../application/ports/unit-of-work'
import type { AccountId } from '../../domain/ids'

/** The four account-scoped repositories and the UnitOfWork over one store, so cascades can be observed. */
export type PersistenceHarness = Readonly<{
  accounts: AccountRepository
  devices: DeviceRepository
  backups: BackupRepository
  audit: AuditRepository
  unitOfWork: UnitOfWork
  /** Empties the store between tests. */
  reset: () => Promise<void>
  close: () => Promise<void>
}>

export type BlobStoreHarness = Readonly<{
  blobs: BlobStore
  /** Blobs belong to an account; stores that enforce it (PostgreSQL) need the account to exist. */
  givenAccount: (accountId: AccountId) => Promise<void>
  reset: () => Promise<void>
  close: () => Promise<void>
}>

/** Runs the task and returns its Right; a Left fails the test with its tag (never key material). */
export const right = async <E extends { readonly _tag: string }, A>(
  task: TE.TaskEither<E, A>,
): Promise<A> => {
  const result = await task()
  if (E.isLeft(result))
    throw new Error(`expected Right, got Left(${result.left._tag})`, { cause: result.left })
  return result.right
}

/** The account's stored bytes, as the quota counts them (QuotaLedger.standing, in a transaction of its own). */
export const usedBytes = async (h: Pick<PersistenceHarness, 'unitOfWork'>, accountId: AccountId) => {
  const standing = await right(h.unitOfWork.inAccount(accountId, (tx) => tx.quota.standing(accountId)))
  return O.isSome(standing) ? standing.value.usedBytes : 0
}

/** Runs the task and returns its Left tag-checked value; a Right fails the test. */
export const left = async <E, A>(task: TE.TaskEither<E, A>): Promise<E> => {
  const result = await task()
  if (E.isRight(result)) throw new Error('expected Left, got Right')
  return result.left
}

/** Knows how to keep each account's wrapped snapshot key in PostgreSQL (zkeb.snapshot_keys, row-level security). */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { SnapshotKeyRepository } from '../../../application/ports/snapshot-key-repository'
import { snapshotKeyExists } from '../../../domain/snapshot-errors'
import type { AccountAccess } from './account-access'
import { isUniqueViolation } from './pg-errors'
import { bytes, decodeFirst } from './row-codecs'
import { decodeSnapshotKey } from './snapshot-rows'

/** Over either way of reaching PostgreSQL (account-access.ts); the UnitOfWork hands it out. */
export const snapshotKeysIn = (access: AccountAccess): SnapshotKeyRepository => ({
  find: (accountId) =>
    pipe(
      access.run(accountId, (trx) => trx('zkeb.snapshot_keys').where({ account_id: accountId }).select('*')),
      TE.flatMapEither(decodeFirst(decodeSnapshotKey)),
    ),
  /** A race lost on the primary key (another device's first key) is SnapshotKeyExists. */
  insert: (key) =>
    pipe(
      access.run(key.accountId, (trx) =>
        trx('zkeb.snapshot_keys').insert({
          account_id: key.accountId,
          wrapped_key: bytes(key.wrappedKey),
          created_at: key.createdAt,
        }),
      ),
      TE.mapError((failure) =>
        isUniqueViolation('snapshot_keys_pkey')(failure) ? snapshotKeyExists : failure,
      ),
      TE.asUnit,
    ),
  rewrap: (accountId, wrappedKey) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.snapshot_keys')
          .where({ account_id: accountId })
          .update({ wrapped_key: bytes(wrappedKey) }),
      ),
      TE.map((updated) => updated > 0),
    ),
})

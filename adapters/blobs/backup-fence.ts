/**
 * Knows the fence between an online backup (`zkeb-admin backup`) and the deletion of blobs kept outside
 * PostgreSQL (S3, files). The backup copies the database first, then every blob the store lists; a blob whose
 * record is in the database copy was written before that copy, so it is listed, unless something deletes it
 * in between: the trash purge, a restic prune, a finished upload's parts, the blob collector. While a backup
 * holds the fence, those deletions are skipped: the blob stays, unreferenced, and the blob collector removes it
 * once past its grace period, after the backup. A deletion already running holds the fence shared, so the
 * backup waits for it before it copies the database.
 *
 * The fence is a PostgreSQL advisory lock on the application's database: the backup takes it exclusively on a
 * session of its own; each deletion tries it shared for the length of its transaction, without waiting.
 */
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../application/errors'
import type { BlobStore } from '../../application/ports/blob-store'

/** 'ZKEBBKUP' as a bigint: the advisory lock key of the fence, the same in every release. */
export const backupFenceKey = '6506370237549204816'

/**
 * Runs `remove` unless a backup holds the fence; skipped, it answers Right as a deletion would (the blob is
 * left to the collector). The shared lock is held until the deletion's transaction ends.
 */
const unlessBackingUp =
  (knex: Knex, remove: TE.TaskEither<Unavailable, void>): TE.TaskEither<Unavailable, void> =>
  async () => {
    try {
      return await knex.transaction(async (trx) => {
        const { rows } = await trx.raw<{ rows: Array<{ free: boolean }> }>(
          'select pg_try_advisory_xact_lock_shared(?::bigint) as free',
          [backupFenceKey],
        )
        if (rows[0]?.free !== true) return E.right(undefined)
        return remove()
      })
    } catch (cause) {
      return E.left(unavailable('postgres')(cause))
    }
  }

/** `store` whose deletions respect the backup fence; writes and reads are untouched. */
export const backupFencedBlobStore = (store: BlobStore, knex: Knex): BlobStore => ({
  ...store,
  delete: (accountId, blobId) => unlessBackingUp(knex, store.delete(accountId, blobId)),
  deleteAccount: (accountId) => unlessBackingUp(knex, store.deleteAccount(accountId)),
})

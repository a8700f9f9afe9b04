/** Knows how to keep restic object records in PostgreSQL (table zkeb.restic_objects, row-level security). */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { ResticObjectRepository } from '../../../application/ports/restic-object-repository'
import { type QuotaExceeded, quotaExceeded } from '../../../domain/errors'
import { AccountId, BlobId, ByteCount } from '../../../domain/ids'
import {
  type ResticObject,
  type ResticObjectExists,
  resticObjectExists,
  type ResticObjectRef,
  ResticObjectType,
  ResticRepoName,
} from '../../../domain/restic'
import { accountReservedBytes, accountUsedBytes, lockAccount } from './knex-backup-repository'
import { isUniqueViolation } from './pg-errors'
import { decodeAll, decodeWith, PgDate } from './row-codecs'
import { withAccount } from '../pg-session'

const decodeObject = decodeWith(
  t.type({
    account_id: AccountId,
    repo: ResticRepoName,
    type: ResticObjectType,
    name: t.string,
    blob_id: BlobId,
    size_bytes: ByteCount,
    created_at: PgDate,
  }),
  (r): ResticObject => ({
    accountId: r.account_id,
    repo: r.repo,
    type: r.type,
    name: r.name,
    blobId: r.blob_id,
    sizeBytes: r.size_bytes,
    createdAt: r.created_at,
  }),
)

const decodeEntry = decodeWith(t.type({ name: t.string, size_bytes: ByteCount }), (r) => ({
  name: r.name,
  sizeBytes: r.size_bytes,
}))

const whereRef = (accountId: AccountId, ref: ResticObjectRef) => ({
  account_id: accountId,
  repo: ref.repo,
  type: ref.type,
  name: ref.name,
})

const optional = (rows: ReadonlyArray<unknown>) =>
  rows[0] === undefined ? E.right(O.none) : pipe(decodeObject(rows[0]), E.map(O.some))

const accountGone = () => unavailable('postgres')(new Error('account not found'))

/** Under the account lock backups take too, so both kinds of upload together never pass the quota. */
const commit = (knex: Knex) => (object: ResticObject, limitBytes: number) =>
  pipe(
    withAccount(
      knex,
      object.accountId,
    )(async (trx): Promise<E.Either<Unavailable | ResticObjectExists | QuotaExceeded, void>> => {
      if ((await lockAccount(trx, object.accountId)) === undefined) return E.left(accountGone())
      const taken = await trx('zkeb.restic_objects').where(whereRef(object.accountId, object)).select('name')
      if (taken.length > 0) return E.left(resticObjectExists)
      // Open resumable uploads' reservations are taken space too.
      const used =
        (await accountUsedBytes(trx, object.accountId)) + (await accountReservedBytes(trx, object.accountId))
      if (used + object.sizeBytes > limitBytes) return E.left(quotaExceeded(limitBytes, used))
      await trx('zkeb.restic_objects').insert({
        ...whereRef(object.accountId, object),
        blob_id: object.blobId,
        size_bytes: object.sizeBytes,
        created_at: object.createdAt,
      })
      return E.right(undefined)
    }),
    TE.mapError((failure) =>
      isUniqueViolation('restic_objects_pkey')(failure) ? resticObjectExists : failure,
    ),
    TE.flatMapEither((result) => result),
  )

export const knexResticObjectRepository = (knex: Knex): ResticObjectRepository => ({
  find: (accountId, ref) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) => trx('zkeb.restic_objects').where(whereRef(accountId, ref)).select('*')),
      TE.flatMapEither(optional),
    ),
  list: (accountId, repo, type) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) =>
        trx('zkeb.restic_objects').where({ account_id: accountId, repo, type }).select('name', 'size_bytes'),
      ),
      TE.flatMapEither(decodeAll(decodeEntry)),
    ),
  commit: commit(knex),
  remove: (accountId, ref) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) => trx('zkeb.restic_objects').where(whereRef(accountId, ref)).delete().returning('*')),
      TE.flatMapEither(optional),
    ),
})

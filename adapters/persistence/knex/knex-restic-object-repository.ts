/** Knows how to keep restic object records in PostgreSQL (table zkeb.restic_objects, row-level security). */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { ResticObjectRepository } from '../../../application/ports/restic-object-repository'
import { AccountId, BlobId, ByteCount } from '../../../domain/ids'
import {
  type ResticObject,
  resticObjectExists,
  type ResticObjectRef,
  ResticObjectType,
  ResticRepoName,
} from '../../../domain/restic'
import { type AccountAccess, ownTransactions } from './account-access'
import { isUniqueViolation } from './pg-errors'
import { decodeAll, decodeFirst, decodeWith, PgDate } from './row-codecs'

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

/** Over either way of reaching PostgreSQL (account-access.ts). */
export const resticObjectsIn = (access: AccountAccess): ResticObjectRepository => ({
  find: (accountId, ref) =>
    pipe(
      access.run(accountId, (trx) => trx('zkeb.restic_objects').where(whereRef(accountId, ref)).select('*')),
      TE.flatMapEither(decodeFirst(decodeObject)),
    ),
  list: (accountId, repo, type) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.restic_objects').where({ account_id: accountId, repo, type }).select('name', 'size_bytes'),
      ),
      TE.flatMapEither(decodeAll(decodeEntry)),
    ),
  /** A race lost on the primary key (another insert of the same name) is ResticObjectExists. */
  insert: (object) =>
    pipe(
      access.run(object.accountId, (trx) =>
        trx('zkeb.restic_objects').insert({
          ...whereRef(object.accountId, object),
          blob_id: object.blobId,
          size_bytes: object.sizeBytes,
          created_at: object.createdAt,
        }),
      ),
      TE.mapError((failure) =>
        isUniqueViolation('restic_objects_pkey')(failure) ? resticObjectExists : failure,
      ),
      TE.asUnit,
    ),
  remove: (accountId, ref) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.restic_objects').where(whereRef(accountId, ref)).delete().returning('*'),
      ),
      TE.flatMapEither(decodeFirst(decodeObject)),
    ),
})

export const knexResticObjectRepository = (knex: Knex): ResticObjectRepository =>
  resticObjectsIn(ownTransactions(knex))

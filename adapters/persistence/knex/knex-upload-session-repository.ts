/**
 * Knows how to keep resumable-upload sessions in PostgreSQL (tables zkeb.upload_sessions and
 * zkeb.upload_parts, row-level security per account). Appends are a compare-and-set on the stored offset, so
 * two instances appending to one upload cannot both succeed.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { Unavailable } from '../../../application/errors'
import type { UploadSessionRepository } from '../../../application/ports/upload-session-repository'
import type { AccountTransaction } from '../../../application/ports/unit-of-work'
import { EncryptedMetadata, WrappedKey } from '../../../domain/backup'
import {
  AccountId,
  BackupId,
  BlobId,
  ByteCount,
  DeviceId,
  Ed25519Signature,
  Sha256Hex,
} from '../../../domain/ids'
import {
  UploadId,
  type UploadNotFound,
  uploadNotFound,
  type UploadOffsetConflict,
  uploadOffsetConflict,
  type UploadSession,
} from '../../../domain/upload-session'
import { query } from '../pg-session'
import { type AccountAccess, ownTransactions } from './account-access'
import { Bytea, bytes, decodeAll, decodeFirst, decodeWith, Nullable, PgDate } from './row-codecs'

const toRow = (s: UploadSession) => ({
  account_id: s.accountId,
  upload_id: s.uploadId,
  device_id: s.deviceId,
  backup_id: s.backupId,
  parent_id: O.toNullable(s.parentId),
  length_bytes: s.lengthBytes,
  offset_bytes: s.offsetBytes,
  content_sha256: s.contentSha256,
  signature: bytes(s.signature),
  wrapped_key: bytes(s.wrappedKey),
  encrypted_metadata: bytes(s.encryptedMetadata),
  created_at: s.createdAt,
  expires_at: s.expiresAt,
})

const decodeSession = decodeWith(
  t.type({
    account_id: AccountId,
    upload_id: UploadId,
    device_id: DeviceId,
    backup_id: BackupId,
    parent_id: Nullable(BackupId),
    length_bytes: ByteCount,
    offset_bytes: ByteCount,
    content_sha256: Sha256Hex,
    signature: Bytea(Ed25519Signature),
    wrapped_key: Bytea(WrappedKey),
    encrypted_metadata: Bytea(EncryptedMetadata),
    created_at: PgDate,
    expires_at: PgDate,
  }),
  (r): UploadSession => ({
    uploadId: r.upload_id,
    accountId: r.account_id,
    deviceId: r.device_id,
    backupId: r.backup_id,
    parentId: r.parent_id,
    lengthBytes: r.length_bytes,
    offsetBytes: r.offset_bytes,
    contentSha256: r.content_sha256,
    signature: r.signature,
    wrappedKey: r.wrapped_key,
    encryptedMetadata: r.encrypted_metadata,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  }),
)

const decodePart = decodeWith(t.type({ blob_id: BlobId, size_bytes: ByteCount }), (r) => ({
  blobId: r.blob_id,
  sizeBytes: r.size_bytes,
}))

const decodeRef = decodeWith(t.type({ account_id: AccountId, upload_id: UploadId }), (r) => ({
  accountId: r.account_id,
  uploadId: r.upload_id,
}))

type AppendFailure = Unavailable | UploadNotFound | UploadOffsetConflict

/** One statement moves the offset only from `expected`; the part row goes in the same transaction. */
const appendPart: (access: AccountAccess) => UploadSessionRepository['appendPart'] =
  (access) => (accountId, uploadId, expectedOffset, part) =>
    pipe(
      access.run(accountId, async (trx): Promise<E.Either<AppendFailure, number>> => {
        const moved = await trx('zkeb.upload_sessions')
          .where({ account_id: accountId, upload_id: uploadId, offset_bytes: expectedOffset })
          .whereRaw('offset_bytes + ? <= length_bytes', [part.sizeBytes])
          .update({ offset_bytes: trx.raw('offset_bytes + ?', [part.sizeBytes]) })
          .returning<Array<{ offset_bytes: string | number }>>('offset_bytes')
        if (moved.length === 0) {
          const [current] = await trx('zkeb.upload_sessions')
            .where({ account_id: accountId, upload_id: uploadId })
            .select<Array<{ offset_bytes: string | number }>>('offset_bytes')
          return E.left(
            current === undefined ? uploadNotFound : uploadOffsetConflict(Number(current.offset_bytes)),
          )
        }
        const [counted] = await trx('zkeb.upload_parts')
          .where({ account_id: accountId, upload_id: uploadId })
          .count<Array<{ count: string | number }>>({ count: '*' })
        await trx('zkeb.upload_parts').insert({
          account_id: accountId,
          upload_id: uploadId,
          part_no: Number(counted?.count ?? 0),
          blob_id: part.blobId,
          size_bytes: part.sizeBytes,
        })
        return E.right(Number(moved[0]!.offset_bytes))
      }),
      TE.flatMapEither((result) => result),
    )

/** The account-scoped part, over either way of reaching PostgreSQL (account-access.ts). */
export const uploadSessionsIn = (access: AccountAccess): AccountTransaction['uploads'] => ({
  create: (session) =>
    pipe(
      access.run(session.accountId, (trx) => trx('zkeb.upload_sessions').insert(toRow(session))),
      TE.asUnit,
    ),
  find: (accountId, uploadId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.upload_sessions').where({ account_id: accountId, upload_id: uploadId }).select('*'),
      ),
      TE.flatMapEither(decodeFirst(decodeSession)),
    ),
  parts: (accountId, uploadId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.upload_parts')
          .where({ account_id: accountId, upload_id: uploadId })
          .orderBy('part_no')
          .select('blob_id', 'size_bytes'),
      ),
      TE.flatMapEither(decodeAll(decodePart)),
    ),
  appendPart: appendPart(access),
  /** The parts are read and the session deleted in one transaction; the parts' rows go by cascade. */
  remove: (accountId, uploadId) =>
    pipe(
      access.run(accountId, async (trx) => {
        const parts = await trx('zkeb.upload_parts')
          .where({ account_id: accountId, upload_id: uploadId })
          .orderBy('part_no')
          .select('blob_id', 'size_bytes')
        await trx('zkeb.upload_sessions').where({ account_id: accountId, upload_id: uploadId }).delete()
        return parts as unknown[]
      }),
      TE.flatMapEither(decodeAll(decodePart)),
    ),
})

export const knexUploadSessionRepository = (knex: Knex): UploadSessionRepository => ({
  ...uploadSessionsIn(ownTransactions(knex)),
  /** Across accounts, so through a SECURITY DEFINER function that returns ids only. */
  expired: (cutoff, limit) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.expired_upload_sessions(?, ?)', [cutoff, limit]),
      ),
      TE.flatMapEither((result) => decodeAll(decodeRef)(result.rows)),
    ),
})

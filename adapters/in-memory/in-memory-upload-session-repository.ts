/** Knows how to keep resumable-upload sessions in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../../application/errors'
import type { UploadSessionRepository } from '../../application/ports/upload-session-repository'
import {
  type UploadNotFound,
  uploadNotFound,
  type UploadOffsetConflict,
  uploadOffsetConflict,
} from '../../domain/upload-session'
import { writing } from './in-memory-account-locks'
import { inMemoryDatabase, type InMemoryDatabase, memoryFailure, uploadKey } from './in-memory-database'

/** Sessions of an account that does not exist are refused, as the foreign key refuses them in PostgreSQL. */
export const inMemoryUploadSessionRepository = (
  db: InMemoryDatabase = inMemoryDatabase(),
): UploadSessionRepository => ({
  create: (session) =>
    writing(db, session.accountId, () => {
      if (!db.accounts.has(session.accountId)) return E.left(memoryFailure('account not found'))
      const key = uploadKey(session.accountId, session.uploadId)
      if (db.uploads.has(key)) return E.left(memoryFailure('upload id taken'))
      db.uploads.set(key, { session: structuredClone(session), parts: [] })
      return E.right(undefined)
    }),
  find: (accountId, uploadId) =>
    TE.fromIO(() => O.fromNullable(structuredClone(db.uploads.get(uploadKey(accountId, uploadId))?.session))),
  parts: (accountId, uploadId) =>
    TE.fromIO(() => structuredClone(db.uploads.get(uploadKey(accountId, uploadId))?.parts ?? [])),
  appendPart: (accountId, uploadId, expectedOffset, part) =>
    writing(db, accountId, (): E.Either<Unavailable | UploadNotFound | UploadOffsetConflict, number> => {
      const key = uploadKey(accountId, uploadId)
      const stored = db.uploads.get(key)
      if (stored === undefined) return E.left(uploadNotFound)
      const { session } = stored
      const next = session.offsetBytes + part.sizeBytes
      if (session.offsetBytes !== expectedOffset || next > session.lengthBytes)
        return E.left(uploadOffsetConflict(session.offsetBytes))
      db.uploads.set(key, {
        session: { ...session, offsetBytes: next },
        parts: [...stored.parts, { ...part }],
      })
      return E.right(next)
    }),
  remove: (accountId, uploadId) =>
    writing(db, accountId, () => {
      const key = uploadKey(accountId, uploadId)
      const parts = db.uploads.get(key)?.parts ?? []
      db.uploads.delete(key)
      return E.right(parts)
    }),
  expired: (cutoff, limit) =>
    TE.fromIO(() =>
      [...db.uploads.values()]
        .map((u) => u.session)
        .filter((s) => s.expiresAt.getTime() <= cutoff.getTime())
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
        .slice(0, limit)
        .map((s) => ({ accountId: s.accountId, uploadId: s.uploadId })),
    ),
})

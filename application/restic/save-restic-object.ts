/**
 * SECURITY: the bytes stream into a fresh blob that no record names until the commit; on every failure
 * (too large, cut short, wrong hash, over quota, name taken meanwhile) the blob is deleted again.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import {
  type AccountNotFound,
  type ContentLengthMismatch,
  type QuotaExceeded,
  type UploadTooLarge,
  uploadTooLarge,
} from '../../domain/errors'
import type { BlobId } from '../../domain/ids'
import { checkQuota } from '../../domain/quota'
import {
  ensureNameMatches,
  type ResticNameMismatch,
  type ResticObject,
  type ResticObjectExists,
  resticObjectExists,
  type ResticObjectRef,
} from '../../domain/restic'
import type { ResticCaller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { writeMetered } from '../backups/metered-content'
import { loadAccount } from '../shared/steps'

/** `contentLength` is the announced Content-Length, a ceiling checked before and after streaming. */
export type SaveResticObjectInput = Readonly<{ ref: ResticObjectRef; contentLength?: number }>
export type SaveResticObjectError =
  | ResticObjectExists
  | ResticNameMismatch
  | QuotaExceeded
  | UploadTooLarge
  | ContentLengthMismatch
  | AccountNotFound
  | Unavailable
/** Stores a new object; an existing name is never overwritten, in any mode (restic's rule). */
export type SaveResticObject = (
  input: SaveResticObjectInput,
  content: AsyncIterable<Uint8Array>,
  caller: ResticCaller,
) => TE.TaskEither<SaveResticObjectError, ResticObject>
export type SaveResticObjectDeps = Pick<
  Ports,
  'accounts' | 'backups' | 'resticObjects' | 'blobs' | 'hasher' | 'clock' | 'ids' | 'settings'
>

/** Refuses before streaming what cannot fit: a length over the upload limit or the quota. */
const announcedLengthFits = (
  deps: SaveResticObjectDeps,
  account: Account,
  length: number | undefined,
): TE.TaskEither<UploadTooLarge | QuotaExceeded | Unavailable, void> => {
  if (length === undefined) return TE.right(undefined)
  if (length > deps.settings.maxUploadBytes) return TE.left(uploadTooLarge(deps.settings.maxUploadBytes))
  return pipe(
    deps.backups.usedBytes(account.accountId),
    TE.flatMapEither((usedBytes) => checkQuota({ usedBytes, limitBytes: account.quotaLimitBytes }, length)),
    TE.asUnit,
  )
}

/** An existing name is refused before a byte is read. */
const precheck = (
  deps: SaveResticObjectDeps,
  input: SaveResticObjectInput,
  caller: ResticCaller,
): TE.TaskEither<SaveResticObjectError, Account> =>
  pipe(
    deps.resticObjects.find(caller.accountId, input.ref),
    TE.filterOrElseW(O.isNone, () => resticObjectExists),
    TE.flatMap(() => loadAccount(deps)(caller.accountId)),
    TE.tap((account) => announcedLengthFits(deps, account, input.contentLength)),
  )

const writeAndCommit = (
  deps: SaveResticObjectDeps,
  input: SaveResticObjectInput,
  content: AsyncIterable<Uint8Array>,
  account: Account,
  blobId: BlobId,
): TE.TaskEither<SaveResticObjectError, ResticObject> =>
  pipe(
    writeMetered(deps, { accountId: account.accountId, blobId }, content, input.contentLength),
    TE.tap(({ sha256 }) => TE.fromEither(ensureNameMatches(input.ref, sha256))),
    TE.map(({ sizeBytes }): ResticObject => ({
      ...input.ref,
      accountId: account.accountId,
      blobId,
      sizeBytes,
      createdAt: deps.clock.now(),
    })),
    TE.tap((object) => deps.resticObjects.commit(object, account.quotaLimitBytes)),
  )

export const saveResticObject =
  (deps: SaveResticObjectDeps): SaveResticObject =>
  (input, content, caller) =>
    pipe(
      precheck(deps, input, caller),
      TE.flatMap((account): TE.TaskEither<SaveResticObjectError, ResticObject> => {
        const blobId = deps.ids.uuid() as BlobId
        return async () => {
          const result = await writeAndCommit(deps, input, content, account, blobId)()
          // Best effort: the original failure is what the caller needs to see.
          if (E.isLeft(result)) await deps.blobs.delete(account.accountId, blobId)()
          return result
        }
      }),
    )

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
  accountNotFound,
  type ContentLengthMismatch,
  type QuotaExceeded,
  type UploadTooLarge,
} from '../../domain/errors'
import type { BlobId } from '../../domain/ids'
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
import { announcedLengthFits, ensureRoom, lockAccount } from '../shared/quota'

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
  'unitOfWork' | 'blobs' | 'hasher' | 'clock' | 'ids' | 'settings'
>

/** An existing name is refused before a byte is read; so is a length that cannot fit (one transaction of reads). */
const precheck = (
  deps: SaveResticObjectDeps,
  input: SaveResticObjectInput,
  caller: ResticCaller,
): TE.TaskEither<SaveResticObjectError, Account> =>
  deps.unitOfWork.inAccount(caller.accountId, (tx) =>
    pipe(
      tx.resticObjects.find(caller.accountId, input.ref),
      TE.filterOrElseW(O.isNone, () => resticObjectExists),
      TE.flatMap(() => tx.quota.standing(caller.accountId)),
      TE.flatMap(TE.fromOption(() => accountNotFound)),
      TE.tap((standing) =>
        TE.fromEither(announcedLengthFits(deps.settings.maxUploadBytes, standing, input.contentLength)),
      ),
      TE.map(({ account }) => account),
    ),
  )

/** Under the account's lock: the name still free, the quota (every reservation counted), then the record. */
const commit = (deps: SaveResticObjectDeps, object: ResticObject) =>
  deps.unitOfWork.inAccount(object.accountId, (tx) =>
    pipe(
      lockAccount(tx.quota, object.accountId),
      TE.tap(() =>
        pipe(
          tx.resticObjects.find(object.accountId, object),
          TE.filterOrElseW(O.isNone, () => resticObjectExists),
        ),
      ),
      TE.flatMap((account) => ensureRoom(tx.quota, account, object.sizeBytes)),
      TE.flatMap(() => tx.resticObjects.insert(object)),
    ),
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
    TE.tap((object) => commit(deps, object)),
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

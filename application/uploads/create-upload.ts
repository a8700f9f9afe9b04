import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import {
  type BackupExists,
  type DeviceNotFound,
  deviceNotFound,
  type DeviceRevoked,
  type ParentNotFound,
  type QuotaExceeded,
  type UploadTooLarge,
  uploadTooLarge,
} from '../../domain/errors'
import { ByteCount } from '../../domain/ids'
import type { UploadId, UploadSession } from '../../domain/upload-session'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { judgePrecheck, readPrecheck } from '../backups/precheck-upload'
import { UploadBackupInput } from '../backups/upload-input'
import { ensureRoom, lockAccount } from '../shared/quota'

/** The one-shot upload's description (its signed fields) plus the whole length, declared up front. */
export const CreateUploadInput = t.exact(
  t.intersection([UploadBackupInput.type, t.type({ lengthBytes: ByteCount })]),
)
export type CreateUploadInput = t.TypeOf<typeof CreateUploadInput>
export type CreateUploadError =
  | DeviceNotFound
  | DeviceRevoked
  | ParentNotFound
  | BackupExists
  | QuotaExceeded
  | UploadTooLarge
  | Unavailable
/**
 * Starts a resumable upload: checks now what can be checked before any byte arrives (device active, parent
 * present, id not taken by other content, length within the upload limit) and reserves the length against
 * the quota, atomically with every other reservation. Hash and signature are verified when it finishes.
 */
export type CreateUpload = (
  input: CreateUploadInput,
  caller: Caller,
) => TE.TaskEither<CreateUploadError, UploadSession>
export type CreateUploadDeps = Pick<Ports, 'unitOfWork' | 'clock' | 'ids' | 'settings'>

const toSession = (deps: CreateUploadDeps, input: CreateUploadInput, caller: Caller): UploadSession => {
  const createdAt = deps.clock.now()
  return {
    uploadId: deps.ids.uuid() as UploadId,
    accountId: caller.accountId,
    deviceId: input.deviceId,
    backupId: input.backupId,
    parentId: O.fromNullable(input.parentId),
    lengthBytes: input.lengthBytes,
    offsetBytes: 0,
    contentSha256: input.contentSha256,
    signature: input.signature,
    wrappedKey: input.wrappedKey,
    encryptedMetadata: input.encryptedMetadata,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + deps.settings.uploadExpirySeconds * 1000),
  }
}

/** The checks, the lock, the quota (every other reservation counted) and the new session: one transaction. */
export const createUpload =
  (deps: CreateUploadDeps): CreateUpload =>
  (input, caller) =>
    input.lengthBytes > deps.settings.maxUploadBytes
      ? TE.left(uploadTooLarge(deps.settings.maxUploadBytes))
      : deps.unitOfWork.inAccount(caller.accountId, (tx) =>
          pipe(
            readPrecheck(tx, caller.accountId, input),
            // A retry of an upload already stored may start again (its finish adopts the stored record).
            TE.flatMapEither((pre) =>
              pipe(
                judgePrecheck(input, pre),
                E.flatMap(() =>
                  O.isSome(pre.account) ? E.right(undefined) : E.left(deviceNotFound(input.deviceId)),
                ),
              ),
            ),
            TE.flatMap(() => lockAccount(tx.quota, caller.accountId)),
            TE.flatMap((account) => {
              const session = toSession(deps, input, caller)
              return pipe(
                ensureRoom(tx.quota, account, session.lengthBytes),
                TE.flatMap(() => tx.uploads.create(session)),
                TE.as(session),
              )
            }),
          ),
        )

import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import { type Backup, EncryptedMetadata, isSameContent, WrappedKey } from '../../domain/backup'
import { type Device, ensureActive } from '../../domain/device'
import {
  type BackupExists,
  backupExists,
  type BadSignature,
  type ContentHashMismatch,
  type ContentLengthMismatch,
  type DeviceNotFound,
  deviceNotFound,
  type DeviceRevoked,
  type ParentNotFound,
  parentNotFound,
  type QuotaExceeded,
  type UploadTooLarge,
  uploadTooLarge,
} from '../../domain/errors'
import { BackupId, ByteCount, DeviceId, Ed25519Signature, Sha256Hex } from '../../domain/ids'
import { checkQuota } from '../../domain/quota'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import { recordEvent } from './steps'
import { storeBackup } from './store-backup'

export const UploadBackupInput = t.exact(
  t.intersection([
    t.type({
      backupId: BackupId,
      deviceId: DeviceId,
      contentSha256: Sha256Hex,
      signature: Ed25519Signature,
      wrappedKey: WrappedKey,
      encryptedMetadata: EncryptedMetadata,
    }),
    t.partial({ parentId: BackupId, contentLength: ByteCount }),
  ]),
)
export type UploadBackupInput = t.TypeOf<typeof UploadBackupInput>
export type UploadBackupOutput = Readonly<{ backup: Backup; created: boolean }>
export type UploadBackupError =
  | DeviceNotFound
  | DeviceRevoked
  | ParentNotFound
  | BackupExists
  | ContentHashMismatch
  | ContentLengthMismatch
  | BadSignature
  | QuotaExceeded
  | UploadTooLarge
  | Unavailable
/**
 * Streams `content` into a fresh blob while hashing it, then verifies hash, length and the device's signature
 * over the protocol-v1 signing bytes, re-checks the quota and commits. On any failure the blob is deleted:
 * nothing half-written becomes visible. The same id with the same hash returns the existing record.
 */
export type UploadBackup = (
  input: UploadBackupInput,
  content: AsyncIterable<Uint8Array>,
  caller: Caller,
) => TE.TaskEither<UploadBackupError, UploadBackupOutput>
export type UploadBackupDeps = Pick<
  Ports,
  | 'accounts'
  | 'devices'
  | 'backups'
  | 'blobs'
  | 'signatures'
  | 'hasher'
  | 'audit'
  | 'clock'
  | 'ids'
  | 'settings'
>

/** What the checks before streaming established. */
export type UploadContext = Readonly<{ account: Account; device: Device }>

export const activeDevice = (deps: UploadBackupDeps, input: UploadBackupInput, caller: Caller) =>
  pipe(
    deps.devices.find(caller.accountId, input.deviceId),
    TE.flatMap(TE.fromOption(() => deviceNotFound(input.deviceId))),
    TE.flatMapEither(ensureActive),
  )

export const parentExists = (deps: UploadBackupDeps, input: UploadBackupInput, caller: Caller) =>
  input.parentId === undefined
    ? TE.right(undefined)
    : pipe(
        deps.backups.find(caller.accountId, input.parentId),
        TE.flatMap(TE.fromOption(() => parentNotFound(input.parentId!))),
        TE.asUnit,
      )

/** Right(some) for an idempotent retry, Right(none) for a new id, Left(BackupExists) for other content. */
export const earlierUpload = (deps: UploadBackupDeps, input: UploadBackupInput, caller: Caller) =>
  pipe(
    deps.backups.find(caller.accountId, input.backupId),
    TE.filterOrElseW(
      (found) => O.isNone(found) || isSameContent(found.value, input.contentSha256),
      () => backupExists(input.backupId),
    ),
  )

/** Refuses before streaming when the announced length cannot fit. */
const announcedLengthFits = (
  deps: UploadBackupDeps,
  input: UploadBackupInput,
  account: Account,
): TE.TaskEither<UploadTooLarge | QuotaExceeded | Unavailable, void> => {
  const length = input.contentLength
  if (length === undefined) return TE.right(undefined)
  if (length > deps.settings.maxUploadBytes) return TE.left(uploadTooLarge(deps.settings.maxUploadBytes))
  return pipe(
    deps.backups.usedBytes(account.accountId),
    TE.flatMapEither((usedBytes) => checkQuota({ usedBytes, limitBytes: account.quotaLimitBytes }, length)),
    TE.asUnit,
  )
}

const newUpload =
  (deps: UploadBackupDeps, input: UploadBackupInput, content: AsyncIterable<Uint8Array>, caller: Caller) =>
  (device: Device): TE.TaskEither<UploadBackupError, UploadBackupOutput> =>
    pipe(
      deps.accounts.findById(caller.accountId),
      // The account vanished after its device was found: it is being deleted, and its devices with it.
      TE.flatMap(TE.fromOption(() => deviceNotFound(device.deviceId))),
      TE.tap((account) => announcedLengthFits(deps, input, account)),
      TE.flatMap((account) => storeBackup(deps, input, content, { account, device })),
      TE.tap(({ created }) =>
        created
          ? pipe(
              deps.devices.save({ ...device, lastSeenAt: deps.clock.now() }),
              TE.flatMap(() =>
                recordEvent(deps)(caller.accountId, 'backup-uploaded', caller, device.deviceId),
              ),
            )
          : TE.right(undefined),
      ),
    )

export const uploadBackup =
  (deps: UploadBackupDeps): UploadBackup =>
  (input, content, caller) =>
    pipe(
      activeDevice(deps, input, caller),
      TE.tap(() => parentExists(deps, input, caller)),
      TE.flatMap((device) =>
        pipe(
          earlierUpload(deps, input, caller),
          TE.flatMap(
            O.match(
              () => newUpload(deps, input, content, caller)(device),
              (backup) => TE.right({ backup, created: false }),
            ),
          ),
        ),
      ),
    )

import * as E from 'fp-ts/Either'
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
import type { Ports } from '../ports/index'
import type { UploadPrecheck } from '../ports/backup-repository'
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
  'backups' | 'blobs' | 'signatures' | 'hasher' | 'clock' | 'ids' | 'settings'
>

/** What the checks before streaming established, and who asked (for the audit event of the commit). */
export type UploadContext = Readonly<{ account: Account; device: Device; requestId: string }>

/** What an upload's checks before streaming concluded. */
export type Prechecked =
  | Readonly<{ kind: 'retry'; backup: Backup }>
  | Readonly<{ kind: 'new'; device: Device; account: Account; usedBytes: number }>

/**
 * Judges what `backups.precheckUpload` read, in the order the checks always ran: the device (known, active),
 * the parent, the id (free, or taken by the same content: an idempotent retry), then the account.
 */
export const judgePrecheck = (
  input: UploadBackupInput,
  pre: UploadPrecheck,
): E.Either<DeviceNotFound | DeviceRevoked | ParentNotFound | BackupExists, Prechecked> => {
  if (O.isNone(pre.device)) return E.left(deviceNotFound(input.deviceId))
  const active = ensureActive(pre.device.value)
  if (E.isLeft(active)) return active
  if (!pre.parentFound) return E.left(parentNotFound(input.parentId!))
  if (O.isSome(pre.existing))
    return isSameContent(pre.existing.value, input.contentSha256)
      ? E.right({ kind: 'retry', backup: pre.existing.value })
      : E.left(backupExists(input.backupId))
  // The account vanished after its device was found: it is being deleted, and its devices with it.
  if (O.isNone(pre.account)) return E.left(deviceNotFound(input.deviceId))
  return E.right({ kind: 'new', device: active.right, account: pre.account.value, usedBytes: pre.usedBytes })
}

/** Reads and judges, in one transaction, what an upload must establish before it reads the body. */
const precheckUpload = (
  deps: Pick<Ports, 'backups'>,
  input: UploadBackupInput,
  caller: Caller,
): TE.TaskEither<Unavailable | DeviceNotFound | DeviceRevoked | ParentNotFound | BackupExists, Prechecked> =>
  pipe(
    deps.backups.precheckUpload(caller.accountId, {
      deviceId: input.deviceId,
      backupId: input.backupId,
      parentId: O.fromNullable(input.parentId),
    }),
    TE.flatMapEither((pre) => judgePrecheck(input, pre)),
  )

/** Refuses before streaming when the announced length cannot fit. */
const announcedLengthFits = (
  deps: UploadBackupDeps,
  input: UploadBackupInput,
  account: Account,
  usedBytes: number,
): E.Either<UploadTooLarge | QuotaExceeded, void> => {
  const length = input.contentLength
  if (length === undefined) return E.right(undefined)
  if (length > deps.settings.maxUploadBytes) return E.left(uploadTooLarge(deps.settings.maxUploadBytes))
  return pipe(
    checkQuota({ usedBytes, limitBytes: account.quotaLimitBytes }, length),
    E.map(() => undefined),
  )
}

/**
 * With blobs in PostgreSQL, a new small upload is three transactions, each with its own commit: the checks,
 * the blob, and the commit with the device's last-seen time and the audit event (bench/RESULTS.md, the 4 KiB
 * upload).
 */
export const uploadBackup =
  (deps: UploadBackupDeps): UploadBackup =>
  (input, content, caller) =>
    pipe(
      precheckUpload(deps, input, caller),
      TE.flatMap((checked): TE.TaskEither<UploadBackupError, UploadBackupOutput> => {
        if (checked.kind === 'retry') return TE.right({ backup: checked.backup, created: false })
        const { device, account, usedBytes } = checked
        return pipe(
          TE.fromEither(announcedLengthFits(deps, input, account, usedBytes)),
          TE.flatMap(() =>
            storeBackup(deps, input, content, { account, device, requestId: caller.requestId }),
          ),
        )
      }),
    )

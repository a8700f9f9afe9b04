/** The checks an upload makes before it reads a byte: one transaction of reads, then pure judgement. */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import { type Backup, isSameContent } from '../../domain/backup'
import { type Device, ensureActive } from '../../domain/device'
import {
  type BackupExists,
  backupExists,
  type DeviceNotFound,
  deviceNotFound,
  type DeviceRevoked,
  type ParentNotFound,
  parentNotFound,
} from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { AccountTransaction } from '../ports/unit-of-work'
import type { UploadBackupInput } from './upload-input'

/** Everything an upload checks before it stores a byte. */
export type UploadPrecheck = Readonly<{
  /** The uploading device, revoked or not; `none` for an unknown id and for another account's device. */
  device: O.Option<Device>
  /** The caller's account; `none` once it is deleted. */
  account: O.Option<Account>
  /** The backup already stored under the upload's id, live or trashed. */
  existing: O.Option<Backup>
  /** Whether the named parent is stored (live or trashed); `true` when none is named. */
  parentFound: boolean
  /** The account's stored bytes, as the quota counts them. */
  usedBytes: number
}>

/** What an upload's checks before streaming concluded. */
export type Prechecked =
  | Readonly<{ kind: 'retry'; backup: Backup }>
  | Readonly<{ kind: 'new'; device: Device; account: Account; usedBytes: number }>

type UploadTarget = Pick<UploadBackupInput, 'deviceId' | 'backupId' | 'parentId'>

/**
 * Three reads in the caller's transaction: the device, the backups under the upload's id and its parent's
 * (one read), and the account with its stored bytes (one read).
 */
export const readPrecheck = (
  tx: AccountTransaction,
  accountId: AccountId,
  target: UploadTarget,
): TE.TaskEither<Unavailable, UploadPrecheck> =>
  pipe(
    TE.Do,
    // One after the other (bind, not apS), so the statements always go out in this order.
    TE.bind('device', () => tx.devices.find(accountId, target.deviceId)),
    TE.bind('stored', () =>
      tx.backups.findMany(
        accountId,
        target.parentId === undefined ? [target.backupId] : [target.backupId, target.parentId],
      ),
    ),
    TE.bind('standing', () => tx.quota.standing(accountId)),
    TE.map(({ device, stored, standing }) => {
      const find = (backupId: string) => O.fromNullable(stored.find((b) => b.backupId === backupId))
      return {
        device,
        account: O.map((s: { account: Account }) => s.account)(standing),
        existing: find(target.backupId),
        parentFound: target.parentId === undefined || O.isSome(find(target.parentId)),
        usedBytes: O.isSome(standing) ? standing.value.usedBytes : 0,
      }
    }),
  )

/**
 * Judges what readPrecheck read, in the order the checks always ran: the device (known, active), the parent,
 * the id (free, or taken by the same content: an idempotent retry), then the account.
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

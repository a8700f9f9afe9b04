import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { Backup } from '../../domain/backup'
import { type BackupNotFound, backupNotFound } from '../../domain/errors'
import { type AccountId, BackupId } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** Names one backup of the caller's account. */
export const BackupRef = t.strict({ backupId: BackupId })
export type BackupRef = t.TypeOf<typeof BackupRef>
/** One backup's record; another account's backup is not found, never confirmed. */
export type GetBackup = (
  input: BackupRef,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | Unavailable, Backup>
export type GetBackupDeps = Pick<Ports, 'backups'>

/** The account's backup (live or trashed), or BackupNotFound. */
export const findBackup =
  (deps: Pick<Ports, 'backups'>) =>
  (accountId: AccountId, backupId: BackupId): TE.TaskEither<BackupNotFound | Unavailable, Backup> =>
    pipe(deps.backups.find(accountId, backupId), TE.flatMap(TE.fromOption(() => backupNotFound(backupId))))

export const getBackup =
  (deps: GetBackupDeps): GetBackup =>
  (input, caller) =>
    findBackup(deps)(caller.accountId, input.backupId)

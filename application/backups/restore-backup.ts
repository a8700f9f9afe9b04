import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type Backup, restoreFromTrash } from '../../domain/backup'
import type { BackupNotFound, NotInTrash } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { type BackupRef, findBackup } from './get-backup'
import { recordEvent } from '../shared/steps'

/** Brings a backup back from the trash; records `backup-restored`. */
export type RestoreBackup = (
  input: BackupRef,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | NotInTrash | Unavailable, Backup>
export type RestoreBackupDeps = Pick<Ports, 'backups' | 'audit' | 'clock'>

export const restoreBackup =
  (deps: RestoreBackupDeps): RestoreBackup =>
  (input, caller) =>
    pipe(
      findBackup(deps)(caller.accountId, input.backupId),
      TE.flatMapEither(restoreFromTrash),
      TE.tap((restored) =>
        deps.backups.setDeletedAt(caller.accountId, restored.backupId, restored.deletedAt),
      ),
      TE.tap(() => recordEvent(deps)(caller.accountId, 'backup-restored', caller, caller.deviceId)),
    )

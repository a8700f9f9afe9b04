import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { isInTrash, moveToTrash } from '../../domain/backup'
import type { BackupNotFound } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { type BackupRef, findBackup } from './get-backup'
import { recordEvent } from '../shared/steps'

/** Moves a live backup to the trash (idempotent); records `backup-deleted`. */
export type TrashBackup = (
  input: BackupRef,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | Unavailable, void>
export type TrashBackupDeps = Pick<Ports, 'backups' | 'audit' | 'clock'>

export const trashBackup =
  (deps: TrashBackupDeps): TrashBackup =>
  (input, caller) =>
    pipe(
      findBackup(deps)(caller.accountId, input.backupId),
      TE.flatMap((backup) =>
        isInTrash(backup)
          ? TE.right(undefined)
          : pipe(
              deps.backups.setDeletedAt(
                caller.accountId,
                backup.backupId,
                moveToTrash(backup, deps.clock.now()).deletedAt,
              ),
              TE.flatMap(() =>
                recordEvent(deps)(caller.accountId, 'backup-deleted', caller, caller.deviceId),
              ),
            ),
      ),
    )

/**
 * The last step of an upload: one transaction under the account's lock that checks the id and the quota, then
 * stores the backup, the device's last-seen time and the `backup-uploaded` event. A refusal writes none of them.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import { type Backup, isSameContent } from '../../domain/backup'
import { backupExists } from '../../domain/errors'
import type { AccountTransaction } from '../ports/unit-of-work'
import { ensureRoom, lockAccount } from '../shared/quota'
import type { UploadBackupDeps, UploadBackupError, UploadBackupOutput, UploadContext } from './upload-input'

type CommitDeps = Pick<UploadBackupDeps, 'unitOfWork' | 'clock'>

/** The quota leaves out the reservation of the resumable upload this backup completes: these are its bytes. */
const insertNew = (
  deps: CommitDeps,
  tx: AccountTransaction,
  account: Account,
  backup: Backup,
  ctx: UploadContext,
): TE.TaskEither<UploadBackupError, UploadBackupOutput> =>
  pipe(
    ensureRoom(tx.quota, account, backup.sizeBytes, backup.backupId),
    TE.flatMap(() => tx.backups.insert(backup)),
    TE.flatMap(() => TE.fromIO(deps.clock.now)),
    TE.tap((at) => tx.devices.markSeen(backup.accountId, backup.deviceId, at)),
    TE.flatMap((at) =>
      tx.audit.append(
        {
          accountId: backup.accountId,
          type: 'backup-uploaded',
          deviceId: backup.deviceId,
          requestId: ctx.requestId,
        },
        at,
      ),
    ),
    TE.as({ backup, created: true }),
  )

/**
 * Commits `backup`, or adopts the one a concurrent upload of the same id committed first (same content: a
 * retry, nothing written; other content: BackupExists).
 */
export const commitBackup = (
  deps: CommitDeps,
  backup: Backup,
  ctx: UploadContext,
): TE.TaskEither<UploadBackupError, UploadBackupOutput> =>
  deps.unitOfWork.inAccount(backup.accountId, (tx) =>
    pipe(
      lockAccount(tx.quota, backup.accountId),
      TE.flatMap((account) =>
        pipe(
          tx.backups.find(backup.accountId, backup.backupId),
          TE.flatMap(
            O.match(
              () => insertNew(deps, tx, account, backup, ctx),
              (found): TE.TaskEither<UploadBackupError, UploadBackupOutput> =>
                isSameContent(found, backup.sha256)
                  ? TE.right({ backup: found, created: false })
                  : TE.left(backupExists(backup.backupId)),
            ),
          ),
        ),
      ),
    ),
  )

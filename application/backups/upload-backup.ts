/**
 * The one-shot upload: checks before a byte is read (one transaction of reads), the body into a blob, then the
 * commit (one transaction). With blobs in PostgreSQL a new small upload is three transactions in all.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { announcedLengthFits } from '../shared/quota'
import { judgePrecheck, readPrecheck } from './precheck-upload'
import { storeBackup } from './store-backup'
import type { UploadBackup, UploadBackupDeps, UploadBackupError, UploadBackupOutput } from './upload-input'

export const uploadBackup =
  (deps: UploadBackupDeps): UploadBackup =>
  (input, content, caller) =>
    pipe(
      deps.unitOfWork.inAccount(caller.accountId, (tx) => readPrecheck(tx, caller.accountId, input)),
      TE.flatMapEither((pre) => judgePrecheck(input, pre)),
      TE.flatMap((checked): TE.TaskEither<UploadBackupError, UploadBackupOutput> => {
        if (checked.kind === 'retry') return TE.right({ backup: checked.backup, created: false })
        const { device, account } = checked
        return pipe(
          TE.fromEither(announcedLengthFits(deps.settings.maxUploadBytes, checked, input.contentLength)),
          TE.flatMap(() =>
            storeBackup(deps, input, content, { account, device, requestId: caller.requestId }),
          ),
        )
      }),
    )

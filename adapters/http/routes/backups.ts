/** Backup records: list (keyset pages), read one, trash and restore. Content lives in backup-content.ts. */
import * as E from 'fp-ts/Either'
import { BackupRef, ListBackupsInput } from '../../../application/backups'
import { toBackupDto, toPageDto } from '../dto'
import { invalidInput } from '../error-response'
import { callerOf, pathParam } from '../http-types'
import { booleanParam, integerParam, readQuery, textParam } from '../query'
import { runTask, sendError, sendJson } from '../respond'
import { type ApiRouter, authenticated, decodeOrReply, type RouteDeps } from './route-kit'

/** api-v1: `limit` 1–200, default 50. */
export const defaultPageLimit = 50

export const registerBackupRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const { useCases: uc, logger } = deps

  router.get('/api/v1/backups', ...authenticated(deps), async (ctx) => {
    const query = readQuery(
      ctx.query,
      { limit: integerParam, trash: booleanParam, cursor: textParam, deviceId: textParam },
      { limit: defaultPageLimit, trash: false },
    )
    if (E.isLeft(query)) return sendError(ctx, invalidInput(query.left))
    const input = decodeOrReply(ctx, ListBackupsInput, query.right)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.listBackups(input.right, callerOf(ctx)), (page) =>
      sendJson(ctx, 200, toPageDto(page, toBackupDto)),
    )
  })

  router.get('/api/v1/backups/:backupId', ...authenticated(deps), async (ctx) => {
    const input = decodeOrReply(ctx, BackupRef, { backupId: pathParam(ctx, 'backupId') })
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.getBackup(input.right, callerOf(ctx)), (backup) =>
      sendJson(ctx, 200, toBackupDto(backup)),
    )
  })

  router.delete('/api/v1/backups/:backupId', ...authenticated(deps), async (ctx) => {
    const input = decodeOrReply(ctx, BackupRef, { backupId: pathParam(ctx, 'backupId') })
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.trashBackup(input.right, callerOf(ctx)), () => {
      ctx.status = 204
    })
  })

  router.post('/api/v1/backups/:backupId/restore', ...authenticated(deps), async (ctx) => {
    const input = decodeOrReply(ctx, BackupRef, { backupId: pathParam(ctx, 'backupId') })
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.restoreBackup(input.right, callerOf(ctx)), (backup) =>
      sendJson(ctx, 200, toBackupDto(backup)),
    )
  })
}

/** Backup records (application/backups): list (keyset pages), read one, trash and restore. Content: backups-content.ts. */
import { BackupRef, ListBackupsInput } from '../../../application/backups'
import { toBackupDto, toPageDto } from '../dto'
import { booleanParam, integerParam, textParam } from '../query'
import { fromPath, fromQuery, jsonRoute, noBody } from './json-route'
import { type ApiRouter, authenticated, defaultPageLimit, type RouteDeps } from './route-kit'

export const registerBackupRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)
  const listQuery = fromQuery(
    ListBackupsInput,
    { limit: integerParam, trash: booleanParam, cursor: textParam, deviceId: textParam },
    { limit: defaultPageLimit, trash: false },
  )

  router.get(
    '/api/v1/backups',
    ...authenticated(deps),
    route(listQuery, uc.listBackups, (page) => toPageDto(page, toBackupDto)),
  )

  router.get(
    '/api/v1/backups/:backupId',
    ...authenticated(deps),
    route(fromPath(BackupRef), uc.getBackup, toBackupDto),
  )

  router.delete(
    '/api/v1/backups/:backupId',
    ...authenticated(deps),
    route(fromPath(BackupRef), uc.trashBackup, noBody, 204),
  )

  router.post(
    '/api/v1/backups/:backupId/restore',
    ...authenticated(deps),
    route(fromPath(BackupRef), uc.restoreBackup, toBackupDto),
  )
}

/**
 * The application as one typed record: what the HTTP adapter drives and what internal tools embed in-process.
 * `makeUseCases` wires every use case from the ports; the composition root supplies the ports.
 */
import type { Authenticate } from './use-cases/authenticate'
import type { ListAudit } from './use-cases/audit'
import type {
  DownloadBackup,
  GetBackup,
  ListBackups,
  PurgeExpiredTrash,
  RestoreBackup,
  RotateKeys,
  TrashBackup,
  UploadBackup,
} from './use-cases/backups'
import type { FinishPasswordChange, StartPasswordChange } from './use-cases/change-password'
import type { CheckReadiness } from './use-cases/check-readiness'
import type { DeleteAccount } from './use-cases/delete-account'
import type { AddDevice, ListDevices, RevokeDevice } from './use-cases/devices'
import type { FinishLogin } from './use-cases/finish-login'
import type { FinishRegistration } from './use-cases/finish-registration'
import type { GetAccount } from './use-cases/get-account'
import type { Logout } from './use-cases/logout'
import type { FinishRecovery, StartRecovery } from './use-cases/recover-account'
import type { RefreshSession } from './use-cases/refresh-session'
import type { StartLogin } from './use-cases/start-login'
import type { StartRegistration } from './use-cases/start-registration'
import type { UpdateKeyBundle } from './use-cases/update-key-bundle'

export type UseCases = Readonly<{
  startRegistration: StartRegistration
  finishRegistration: FinishRegistration
  startLogin: StartLogin
  finishLogin: FinishLogin
  refreshSession: RefreshSession
  authenticate: Authenticate
  logout: Logout
  getAccount: GetAccount
  updateKeyBundle: UpdateKeyBundle
  startPasswordChange: StartPasswordChange
  finishPasswordChange: FinishPasswordChange
  startRecovery: StartRecovery
  finishRecovery: FinishRecovery
  deleteAccount: DeleteAccount
  addDevice: AddDevice
  listDevices: ListDevices
  revokeDevice: RevokeDevice
  uploadBackup: UploadBackup
  listBackups: ListBackups
  getBackup: GetBackup
  downloadBackup: DownloadBackup
  trashBackup: TrashBackup
  restoreBackup: RestoreBackup
  rotateKeys: RotateKeys
  listAudit: ListAudit
  purgeExpiredTrash: PurgeExpiredTrash
  checkReadiness: CheckReadiness
}>

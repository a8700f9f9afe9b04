/**
 * The application as one typed record: what the HTTP adapter drives and what internal tools embed in-process.
 * `makeUseCases` wires every use case from the ports; the composition root supplies the ports.
 */
import type {
  AddDevice,
  Authenticate,
  AuthenticateAlongside,
  CheckReadiness,
  CollectGarbageBlobs,
  DeleteAccount,
  DownloadBackup,
  FinishLogin,
  FinishPasswordChange,
  FinishRecovery,
  FinishRegistration,
  GetAccount,
  GetBackup,
  ListAudit,
  ListBackups,
  ListDevices,
  Logout,
  PurgeExpiredTrash,
  RefreshSession,
  RestoreBackup,
  RevokeDevice,
  RotateKeys,
  StartLogin,
  StartPasswordChange,
  StartRecovery,
  StartRegistration,
  TrashBackup,
  UpdateKeyBundle,
  UploadBackup,
} from './use-cases'
import {
  addDevice,
  authenticate,
  authenticateAlongside,
  checkReadiness,
  collectGarbageBlobs,
  deleteAccount,
  downloadBackup,
  finishLogin,
  finishPasswordChange,
  finishRecovery,
  finishRegistration,
  getAccount,
  getBackup,
  listAudit,
  listBackups,
  listDevices,
  logout,
  purgeExpiredTrash,
  refreshSession,
  restoreBackup,
  revokeDevice,
  rotateKeys,
  startLogin,
  startPasswordChange,
  startRecovery,
  startRegistration,
  trashBackup,
  updateKeyBundle,
  uploadBackup,
} from './use-cases'
import type { Ports } from './ports'
import { makeResticUseCases, type ResticUseCases } from './restic'
import { makeUploadUseCases, type UploadUseCases } from './uploads'

export type UseCases = Readonly<{
  startRegistration: StartRegistration
  finishRegistration: FinishRegistration
  startLogin: StartLogin
  finishLogin: FinishLogin
  refreshSession: RefreshSession
  authenticate: Authenticate
  authenticateAlongside: AuthenticateAlongside
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
  collectGarbageBlobs: CollectGarbageBlobs
  checkReadiness: CheckReadiness
}> &
  ResticUseCases &
  UploadUseCases

/** Every use case wired from one set of ports. Each factory takes only the ports it declares. */
export const makeUseCases = (ports: Ports): UseCases => ({
  startRegistration: startRegistration(ports),
  finishRegistration: finishRegistration(ports),
  startLogin: startLogin(ports),
  finishLogin: finishLogin(ports),
  refreshSession: refreshSession(ports),
  authenticate: authenticate(ports),
  authenticateAlongside: authenticateAlongside(ports),
  logout: logout(ports),
  getAccount: getAccount(ports),
  updateKeyBundle: updateKeyBundle(ports),
  startPasswordChange: startPasswordChange(ports),
  finishPasswordChange: finishPasswordChange(ports),
  startRecovery: startRecovery(ports),
  finishRecovery: finishRecovery(ports),
  deleteAccount: deleteAccount(ports),
  addDevice: addDevice(ports),
  listDevices: listDevices(ports),
  revokeDevice: revokeDevice(ports),
  uploadBackup: uploadBackup(ports),
  listBackups: listBackups(ports),
  getBackup: getBackup(ports),
  downloadBackup: downloadBackup(ports),
  trashBackup: trashBackup(ports),
  restoreBackup: restoreBackup(ports),
  rotateKeys: rotateKeys(ports),
  listAudit: listAudit(ports),
  purgeExpiredTrash: purgeExpiredTrash(ports),
  collectGarbageBlobs: collectGarbageBlobs(ports),
  checkReadiness: checkReadiness(ports),
  ...makeResticUseCases(ports),
  ...makeUploadUseCases(ports),
})

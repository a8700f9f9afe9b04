import {
  type CollectGarbageBlobs,
  collectGarbageBlobs,
  type CollectSnapshotGarbage,
  collectSnapshotGarbage,
  type PurgeExpiredTrash,
  purgeExpiredTrash,
} from '../maintenance'
import { type ExpireUploads, expireUploads } from '../uploads'
import {
  type ListBackfills,
  listBackfills,
  type PauseBackfill,
  pauseBackfill,
  type RunBackfill,
  runBackfill,
} from './backfills'
import { type DeleteAccountByOperator, deleteAccountByOperator } from './delete-account'
import { type DisableAccount, disableAccountByOperator } from './disable-account'
import { type EnableAccount, enableAccountByOperator } from './enable-account'
import { type ListAccountDevices, listAccountDevices } from './list-account-devices'
import { type ListAccounts, listAccounts } from './list-accounts'
import { type GetServiceStats, getServiceStats } from './maintenance'
import type { AdminPorts } from './ports'
import { type RevokeAccountSessions, revokeAccountSessions } from './revoke-account-sessions'
import { type SetAccountQuota, setAccountQuota } from './set-account-quota'
import { type ShowAccount, showAccount } from './show-account'

export type AdminUseCases = Readonly<{
  listAccounts: ListAccounts
  showAccount: ShowAccount
  enableAccount: EnableAccount
  disableAccount: DisableAccount
  setAccountQuota: SetAccountQuota
  deleteAccount: DeleteAccountByOperator
  listAccountDevices: ListAccountDevices
  revokeAccountSessions: RevokeAccountSessions
  runBackfill: RunBackfill
  pauseBackfill: PauseBackfill
  listBackfills: ListBackfills
  purgeExpiredTrash: PurgeExpiredTrash
  collectGarbageBlobs: CollectGarbageBlobs
  collectSnapshotGarbage: CollectSnapshotGarbage
  expireUploads: ExpireUploads
  getServiceStats: GetServiceStats
}>

export const makeAdminUseCases = (ports: AdminPorts): AdminUseCases => ({
  listAccounts: listAccounts(ports),
  showAccount: showAccount(ports),
  enableAccount: enableAccountByOperator(ports),
  disableAccount: disableAccountByOperator(ports),
  setAccountQuota: setAccountQuota(ports),
  deleteAccount: deleteAccountByOperator(ports),
  listAccountDevices: listAccountDevices(ports),
  revokeAccountSessions: revokeAccountSessions(ports),
  runBackfill: runBackfill(ports),
  pauseBackfill: pauseBackfill(ports),
  listBackfills: listBackfills(ports),
  purgeExpiredTrash: purgeExpiredTrash(ports),
  collectGarbageBlobs: collectGarbageBlobs(ports),
  collectSnapshotGarbage: collectSnapshotGarbage(ports),
  expireUploads: expireUploads(ports),
  getServiceStats: getServiceStats(ports),
})

export type { AdminPorts } from './ports'
export type { AccountAdminView, AccountName, AccountRef } from './account-steps'
export type { AccountPage, AccountSummary } from './list-accounts'
export { maxAccountPage } from './list-accounts'
export type { AccountDevices, DeviceAdminView } from './list-account-devices'
export type { BackfillProgress } from './backfills'

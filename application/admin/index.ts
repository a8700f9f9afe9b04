import {
  type CollectGarbageBlobs,
  collectGarbageBlobs,
  type PurgeExpiredTrash,
  purgeExpiredTrash,
} from '../maintenance'
import { type ExpireUploads, expireUploads } from '../uploads'
import {
  type DisableAccount,
  disableAccountByOperator,
  type SetAccountQuota,
  setAccountQuota,
  type ShowAccount,
  showAccount,
} from './accounts'
import {
  type ListBackfills,
  listBackfills,
  type PauseBackfill,
  pauseBackfill,
  type RunBackfill,
  runBackfill,
} from './backfills'
import { type GetServiceStats, getServiceStats } from './maintenance'
import type { AdminPorts } from './ports'

export type AdminUseCases = Readonly<{
  showAccount: ShowAccount
  disableAccount: DisableAccount
  setAccountQuota: SetAccountQuota
  runBackfill: RunBackfill
  pauseBackfill: PauseBackfill
  listBackfills: ListBackfills
  purgeExpiredTrash: PurgeExpiredTrash
  collectGarbageBlobs: CollectGarbageBlobs
  expireUploads: ExpireUploads
  getServiceStats: GetServiceStats
}>

export const makeAdminUseCases = (ports: AdminPorts): AdminUseCases => ({
  showAccount: showAccount(ports),
  disableAccount: disableAccountByOperator(ports),
  setAccountQuota: setAccountQuota(ports),
  runBackfill: runBackfill(ports),
  pauseBackfill: pauseBackfill(ports),
  listBackfills: listBackfills(ports),
  purgeExpiredTrash: purgeExpiredTrash(ports),
  collectGarbageBlobs: collectGarbageBlobs(ports),
  expireUploads: expireUploads(ports),
  getServiceStats: getServiceStats(ports),
})

export type { AdminPorts } from './ports'
export type { AccountAdminView, AccountRef } from './accounts'
export type { BackfillProgress } from './backfills'

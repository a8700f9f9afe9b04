/**
 * The accounts the mixed workload spreads over: each registered over OPAQUE, with a device, a session bound to
 * it and a few 4 KiB backups of its own, so its reads and uploads touch only its rows and take only its lock,
 * as a real service's many accounts do. Uploads are signed ahead of the load, per account.
 */
import { randomBytes } from 'node:crypto'
import { addDevice, logIn, registerAccount, signedUpload, upload } from './fixtures'
import { uploadPool } from './scenarios'
import type { SignedUpload } from './fixtures'

export type Tenant = Readonly<{
  token: string
  /** GET paths of this account's own data: its list, and its backups' metadata. */
  reads: ReadonlyArray<string>
  nextUpload: () => SignedUpload
}>

export type TenantPlan = Readonly<{
  accounts: number
  /** Backups stored before the load (the list each account reads). */
  backupsEach: number
  /** Uploads signed ahead per account (more are signed on the fly if the load drains them). */
  uploadsEach: number
}>

/** Accounts set up `inFlight` at a time (each is several requests, two of them OPAQUE logins). */
const inFlight = 8

const oneTenant = async (base: string, plan: TenantPlan): Promise<Tenant> => {
  const account = await registerAccount(base)
  const device = await addDevice(base, await logIn(base, account))
  const token = await logIn(base, account, device.deviceId)
  const backupIds: Array<string> = []
  for (let i = 0; i < plan.backupsEach; i++) {
    const u = signedUpload(device, randomBytes(4096))
    await upload(base, token, u)
    backupIds.push(u.backupId)
  }
  const limit = Math.max(plan.backupsEach, 1)
  return {
    token,
    reads: [`/api/v1/backups?limit=${limit}`, ...backupIds.map((id) => `/api/v1/backups/${id}`)],
    nextUpload: uploadPool(device, 4096, plan.uploadsEach),
  }
}

export const prepareTenants = async (base: string, plan: TenantPlan): Promise<ReadonlyArray<Tenant>> => {
  const tenants: Array<Tenant> = []
  for (let i = 0; i < plan.accounts; i += inFlight) {
    const batch = Math.min(inFlight, plan.accounts - i)
    tenants.push(...(await Promise.all(Array.from({ length: batch }, () => oneTenant(base, plan)))))
  }
  return tenants
}

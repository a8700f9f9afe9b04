import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Device } from '../../domain/device'
import type { DeviceId } from '../../domain/ids'
import { type AccountName, type AccountRef, findAccount, type FindError, nameOf } from './account-steps'
import type { AdminPorts } from './ports'

/** A device as an operator sees it: never its name (encrypted under the account's keys) nor its key. */
export type DeviceAdminView = Readonly<{
  deviceId: DeviceId
  createdAt: Date
  lastSeenAt: Date
  revokedAt: Date | null
}>

export type AccountDevices = Readonly<{ account: AccountName; devices: ReadonlyArray<DeviceAdminView> }>

const deviceView = (d: Device): DeviceAdminView => ({
  deviceId: d.deviceId,
  createdAt: d.createdAt,
  lastSeenAt: d.lastSeenAt,
  revokedAt: O.toNullable(d.revokedAt),
})

/** The account's devices, oldest first, revoked ones included. Reading is not audited. */
export type ListAccountDevices = (ref: AccountRef) => TE.TaskEither<FindError, AccountDevices>
export const listAccountDevices =
  (deps: Pick<AdminPorts, 'accounts' | 'devices'>): ListAccountDevices =>
  (ref) =>
    pipe(
      findAccount(deps, ref),
      TE.flatMap((account) =>
        pipe(
          deps.devices.list(account.accountId),
          TE.map((devices) => ({ account: nameOf(account), devices: devices.map(deviceView) })),
        ),
      ),
    )

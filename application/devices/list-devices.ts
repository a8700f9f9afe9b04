import type * as TE from 'fp-ts/TaskEither'
import type { Device } from '../../domain/device'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** The account's devices, oldest first, revoked ones included. */
export type ListDevices = (caller: Caller) => TE.TaskEither<Unavailable, ReadonlyArray<Device>>
export type ListDevicesDeps = Pick<Ports, 'devices'>

export const listDevices =
  (deps: ListDevicesDeps): ListDevices =>
  (caller) =>
    deps.devices.list(caller.accountId)

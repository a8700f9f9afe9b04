import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { revoke } from '../../domain/device'
import { type DeviceNotFound, deviceNotFound, type FreshLoginRequired } from '../../domain/errors'
import { DeviceId } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { ensureFreshLogin, recordEvent } from '../shared/steps'

export const RevokeDeviceInput = t.strict({ deviceId: DeviceId })
export type RevokeDeviceInput = t.TypeOf<typeof RevokeDeviceInput>
/**
 * Revokes the device (idempotent), ends its sessions and records `device-revoked`. Another device needs a fresh
 * login (FreshLoginRequired); the caller's own device does not (that is no more than logging out).
 */
export type RevokeDevice = (
  input: RevokeDeviceInput,
  caller: Caller,
) => TE.TaskEither<DeviceNotFound | FreshLoginRequired | Unavailable, void>
export type RevokeDeviceDeps = Pick<Ports, 'devices' | 'sessions' | 'audit' | 'clock' | 'settings'>

/** A repeated revocation still ends any session, but records nothing new: the first time stands. */
export const revokeDevice =
  (deps: RevokeDeviceDeps): RevokeDevice =>
  (input, caller) =>
    pipe(
      input.deviceId === caller.deviceId ? TE.right(undefined) : ensureFreshLogin(deps)(caller),
      TE.flatMap(() => deps.devices.find(caller.accountId, input.deviceId)),
      TE.flatMap(TE.fromOption(() => deviceNotFound(input.deviceId))),
      TE.flatMap((device) =>
        O.isSome(device.revokedAt)
          ? TE.right(undefined)
          : pipe(
              deps.devices.save(revoke(device, deps.clock.now())),
              TE.flatMap(() =>
                recordEvent(deps)(caller.accountId, 'device-revoked', caller, device.deviceId),
              ),
            ),
      ),
      TE.flatMap(() => deps.sessions.revokeDevice(caller.accountId, input.deviceId)),
    )

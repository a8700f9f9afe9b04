import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type Device, EncryptedDeviceName } from '../../domain/device'
import type { DeviceExists } from '../../domain/errors'
import { type DeviceId, Ed25519PublicKey } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { recordEvent } from '../shared/steps'

export const AddDeviceInput = t.strict({ publicKey: Ed25519PublicKey, encryptedName: EncryptedDeviceName })
export type AddDeviceInput = t.TypeOf<typeof AddDeviceInput>
/** Registers a device's Ed25519 public key, once per account (DeviceExists); records `device-added`. */
export type AddDevice = (
  input: AddDeviceInput,
  caller: Caller,
) => TE.TaskEither<DeviceExists | Unavailable, Device>
export type AddDeviceDeps = Pick<Ports, 'devices' | 'audit' | 'clock' | 'ids'>

export const addDevice =
  (deps: AddDeviceDeps): AddDevice =>
  (input, caller) =>
    pipe(
      TE.fromIO((): Device => {
        const now = deps.clock.now()
        return {
          deviceId: deps.ids.uuid() as DeviceId,
          accountId: caller.accountId,
          publicKey: input.publicKey,
          encryptedName: input.encryptedName,
          createdAt: now,
          lastSeenAt: now,
          revokedAt: O.none,
        }
      }),
      TE.tap(deps.devices.add),
      TE.tap((device) => recordEvent(deps)(caller.accountId, 'device-added', caller, device.deviceId)),
    )

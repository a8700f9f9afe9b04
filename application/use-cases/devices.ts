import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import { type Device, EncryptedDeviceName } from '../../domain/device'
import type { DeviceNotFound } from '../../domain/errors'
import { DeviceId, Ed25519PublicKey } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'

export const AddDeviceInput = t.strict({ publicKey: Ed25519PublicKey, encryptedName: EncryptedDeviceName })
export type AddDeviceInput = t.TypeOf<typeof AddDeviceInput>
/** Registers a device's Ed25519 public key; records `device-added`. */
export type AddDevice = (input: AddDeviceInput, caller: Caller) => TE.TaskEither<Unavailable, Device>
export type AddDeviceDeps = Pick<Ports, 'devices' | 'audit' | 'clock' | 'ids'>

/** The account's devices, oldest first, revoked ones included. */
export type ListDevices = (caller: Caller) => TE.TaskEither<Unavailable, ReadonlyArray<Device>>
export type ListDevicesDeps = Pick<Ports, 'devices'>

export const RevokeDeviceInput = t.strict({ deviceId: DeviceId })
export type RevokeDeviceInput = t.TypeOf<typeof RevokeDeviceInput>
/** Revokes the device (idempotent), ends its sessions and records `device-revoked`. */
export type RevokeDevice = (
  input: RevokeDeviceInput,
  caller: Caller,
) => TE.TaskEither<DeviceNotFound | Unavailable, void>
export type RevokeDeviceDeps = Pick<Ports, 'devices' | 'sessions' | 'audit' | 'clock'>

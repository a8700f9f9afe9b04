/** The devices that sign uploads. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { addDevice, type AddDevice } from './add-device'
import { listDevices, type ListDevices } from './list-devices'
import { revokeDevice, type RevokeDevice } from './revoke-device'

export * from './add-device'
export * from './list-devices'
export * from './revoke-device'

export type DeviceUseCases = Readonly<{
  addDevice: AddDevice
  listDevices: ListDevices
  revokeDevice: RevokeDevice
}>

export const makeDeviceUseCases = (ports: Ports): DeviceUseCases => ({
  addDevice: addDevice(ports),
  listDevices: listDevices(ports),
  revokeDevice: revokeDevice(ports),
})

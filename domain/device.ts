/** Devices: an Ed25519 public key per device, and an encrypted name only the account can read. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import { DeviceRevoked, deviceRevoked } from './errors'
import { AccountId, boundedBytes, DeviceId, Ed25519PublicKey } from './ids'

export const EncryptedDeviceName = boundedBytes('EncryptedDeviceName', 1, 1024)
export type EncryptedDeviceName = t.TypeOf<typeof EncryptedDeviceName>

export type Device = Readonly<{
  deviceId: DeviceId
  accountId: AccountId
  publicKey: Ed25519PublicKey
  encryptedName: EncryptedDeviceName
  createdAt: Date
  lastSeenAt: Date
  revokedAt: O.Option<Date>
}>

/** A revoked device may no longer sign uploads or hold sessions. */
export const ensureActive = (device: Device): E.Either<DeviceRevoked, Device> =>
  O.isSome(device.revokedAt) ? E.left(deviceRevoked(device.deviceId)) : E.right(device)

/** Revoking twice keeps the first revocation time, so the audit trail stays truthful. */
export const revoke = (device: Device, at: Date): Device =>
  O.isSome(device.revokedAt) ? device : { ...device, revokedAt: O.some(at) }

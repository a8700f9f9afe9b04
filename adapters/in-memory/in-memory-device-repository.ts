/** Knows how to keep devices in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { DeviceRepository } from '../../application/ports/device-repository'
import type { Device } from '../../domain/device'
import { type DeviceExists, deviceExists } from '../../domain/errors'
import type { Unavailable } from '../../application/errors'
import { writing } from './in-memory-account-locks'
import { inMemoryDatabase, type InMemoryDatabase, memoryFailure } from './in-memory-database'

const oldestFirst = (a: Device, b: Device): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.deviceId < b.deviceId ? -1 : 1)

/** Devices of an account that does not exist are refused, as the foreign key refuses them in PostgreSQL. */
export const inMemoryDeviceRepository = (db: InMemoryDatabase = inMemoryDatabase()): DeviceRepository => {
  const ofAccount = (device: Device | undefined, accountId: string) =>
    device?.accountId === accountId ? device : undefined
  return {
    add: (device) =>
      writing(db, device.accountId, (): E.Either<Unavailable | DeviceExists, void> => {
        if (!db.accounts.has(device.accountId)) return E.left(memoryFailure('account not found'))
        if (db.devices.has(device.deviceId)) return E.left(memoryFailure('duplicate device id'))
        const sameKey = (d: Device) => d.accountId === device.accountId && d.publicKey === device.publicKey
        if ([...db.devices.values()].some(sameKey)) return E.left(deviceExists)
        db.devices.set(device.deviceId, structuredClone(device))
        return E.right(undefined)
      }),
    find: (accountId, deviceId) =>
      TE.fromIO(() => O.fromNullable(structuredClone(ofAccount(db.devices.get(deviceId), accountId)))),
    list: (accountId) =>
      TE.fromIO(() =>
        structuredClone([...db.devices.values()].filter((d) => d.accountId === accountId).sort(oldestFirst)),
      ),
    save: (device) =>
      writing(db, device.accountId, () => {
        const stored = ofAccount(db.devices.get(device.deviceId), device.accountId)
        if (stored !== undefined)
          db.devices.set(
            device.deviceId,
            structuredClone({ ...stored, lastSeenAt: device.lastSeenAt, revokedAt: device.revokedAt }),
          )
        return E.right(undefined)
      }),
    markSeen: (accountId, deviceId, at) =>
      writing(db, accountId, () => {
        const stored = ofAccount(db.devices.get(deviceId), accountId)
        if (stored !== undefined) db.devices.set(deviceId, { ...stored, lastSeenAt: new Date(at.getTime()) })
        return E.right(undefined)
      }),
  }
}

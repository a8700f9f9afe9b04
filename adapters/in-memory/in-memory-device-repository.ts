/** Knows how to keep devices in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { DeviceRepository } from '../../application/ports/device-repository'
import type { Device } from '../../domain/device'
import { inMemoryDatabase, type InMemoryDatabase, memoryFailure } from './in-memory-database'

const oldestFirst = (a: Device, b: Device): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.deviceId < b.deviceId ? -1 : 1)

/** Devices of an account that does not exist are refused, as the foreign key refuses them in PostgreSQL. */
export const inMemoryDeviceRepository = (db: InMemoryDatabase = inMemoryDatabase()): DeviceRepository => ({
  add: (device) =>
    TE.fromIOEither(() => {
      if (!db.accounts.has(device.accountId)) return E.left(memoryFailure('account not found'))
      if (db.devices.has(device.deviceId)) return E.left(memoryFailure('duplicate device id'))
      db.devices.set(device.deviceId, structuredClone(device))
      return E.right(undefined)
    }),
  find: (accountId, deviceId) =>
    TE.fromIO(() =>
      O.fromNullable(structuredClone([db.devices.get(deviceId)].find((d) => d?.accountId === accountId))),
    ),
  list: (accountId) =>
    TE.fromIO(() =>
      structuredClone([...db.devices.values()].filter((d) => d.accountId === accountId).sort(oldestFirst)),
    ),
  save: (device) =>
    TE.fromIO(() => {
      const stored = db.devices.get(device.deviceId)
      if (stored === undefined || stored.accountId !== device.accountId) return
      db.devices.set(
        device.deviceId,
        structuredClone({ ...stored, lastSeenAt: device.lastSeenAt, revokedAt: device.revokedAt }),
      )
    }),
})

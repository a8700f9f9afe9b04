/** Knows how to keep devices in PostgreSQL (table zkeb.devices, row-level security per account). */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import type { DeviceRepository } from '../../../application/ports/device-repository'
import { deviceExists } from '../../../domain/errors'
import { type AccountAccess, ownTransactions } from './account-access'
import { isUniqueViolation } from './pg-errors'
import { bytes, decodeAll, decodeDevice, decodeFirst } from './row-codecs'

/** Over either way of reaching PostgreSQL (account-access.ts). */
export const devicesIn = (access: AccountAccess): DeviceRepository => ({
  add: (device) =>
    pipe(
      access.run(device.accountId, (trx) =>
        trx('zkeb.devices').insert({
          device_id: device.deviceId,
          account_id: device.accountId,
          public_key: bytes(device.publicKey),
          encrypted_name: bytes(device.encryptedName),
          created_at: device.createdAt,
          last_seen_at: device.lastSeenAt,
          revoked_at: O.toNullable(device.revokedAt),
        }),
      ),
      TE.mapError((failure) =>
        isUniqueViolation('devices_key_per_account')(failure) ? deviceExists : failure,
      ),
      TE.map(() => undefined),
    ),
  find: (accountId, deviceId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.devices').where({ account_id: accountId, device_id: deviceId }).select('*'),
      ),
      TE.flatMapEither(decodeFirst(decodeDevice)),
    ),
  list: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.devices').where({ account_id: accountId }).orderBy(['created_at', 'device_id']).select('*'),
      ),
      TE.flatMapEither(decodeAll(decodeDevice)),
    ),
  save: (device) =>
    pipe(
      access.run(device.accountId, (trx) =>
        trx('zkeb.devices')
          .where({ account_id: device.accountId, device_id: device.deviceId })
          .update({ last_seen_at: device.lastSeenAt, revoked_at: O.toNullable(device.revokedAt) }),
      ),
      TE.map(() => undefined),
    ),
  markSeen: (accountId, deviceId, at) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.devices')
          .where({ account_id: accountId, device_id: deviceId })
          .update({ last_seen_at: at }),
      ),
      TE.asUnit,
    ),
})

export const knexDeviceRepository = (knex: Knex): DeviceRepository => devicesIn(ownTransactions(knex))

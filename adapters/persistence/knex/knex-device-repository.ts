/** Knows how to keep devices in PostgreSQL (table zkeb.devices, row-level security per account). */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import type { DeviceRepository } from '../../../application/ports/device-repository'
import { bytes, decodeAll, decodeDevice } from './row-codecs'
import { withAccount } from '../pg-session'

export const knexDeviceRepository = (knex: Knex): DeviceRepository => ({
  add: (device) =>
    pipe(
      withAccount(
        knex,
        device.accountId,
      )((trx) =>
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
      TE.map(() => undefined),
    ),
  find: (accountId, deviceId) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) => trx('zkeb.devices').where({ account_id: accountId, device_id: deviceId }).select('*')),
      TE.flatMapEither((rows) =>
        rows[0] === undefined ? E.right(O.none) : pipe(decodeDevice(rows[0]), E.map(O.some)),
      ),
    ),
  list: (accountId) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) =>
        trx('zkeb.devices').where({ account_id: accountId }).orderBy(['created_at', 'device_id']).select('*'),
      ),
      TE.flatMapEither(decodeAll(decodeDevice)),
    ),
  save: (device) =>
    pipe(
      withAccount(
        knex,
        device.accountId,
      )((trx) =>
        trx('zkeb.devices')
          .where({ account_id: device.accountId, device_id: device.deviceId })
          .update({ last_seen_at: device.lastSeenAt, revoked_at: O.toNullable(device.revokedAt) }),
      ),
      TE.map(() => undefined),
    ),
})

import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { Device } from '../../domain/device'
import type { DeviceExists } from '../../domain/errors'
import type { AccountId, DeviceId } from '../../domain/ids'
import type { Unavailable } from '../errors'

/**
 * Durable devices, always read within one account. Implementations: adapters/persistence/knex,
 * adapters/in-memory. Contract: test/contracts/device-repository.contract.ts. Lazy; never rejects.
 */
export type DeviceRepository = {
  /** DeviceExists when the account has a device (revoked or not) with the same public key. */
  readonly add: (device: Device) => TE.TaskEither<Unavailable | DeviceExists, void>
  /** `none` for an unknown id and for another account's device alike. */
  readonly find: (accountId: AccountId, deviceId: DeviceId) => TE.TaskEither<Unavailable, O.Option<Device>>
  /** Oldest first. */
  readonly list: (accountId: AccountId) => TE.TaskEither<Unavailable, ReadonlyArray<Device>>
  /** Stores `lastSeenAt` and `revokedAt` of an existing device of the account. */
  readonly save: (device: Device) => TE.TaskEither<Unavailable, void>
  /** Stores only `lastSeenAt` (an upload's commit): a revocation stored meanwhile stays. */
  readonly markSeen: (accountId: AccountId, deviceId: DeviceId, at: Date) => TE.TaskEither<Unavailable, void>
}

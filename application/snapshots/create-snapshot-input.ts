/** What creating a snapshot takes, answers and needs. */
import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import type { BadSignature, DeviceNotFound, DeviceRevoked, InvalidProtocolMessage } from '../../domain/errors'
import { DeviceId, Ed25519Signature } from '../../domain/ids'
import { MAX_REFS, SeriesId, SnapshotId, SnapshotMetadata, type SnapshotRecord } from '../../domain/snapshot'
import type { RefsMissing, SnapshotExists } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

export const RefCount = t.refinement(t.Int, (n) => n >= 1 && n <= MAX_REFS, 'RefCount')

/** The JSON header of the create body (protocol v1.1 §7): exactly these fields. */
export const CreateSnapshotHeader = t.strict({
  snapshotId: SnapshotId,
  seriesId: SeriesId,
  deviceId: DeviceId,
  encryptedMetadata: SnapshotMetadata,
  signature: Ed25519Signature,
  refCount: RefCount,
})
export type CreateSnapshotHeader = t.TypeOf<typeof CreateSnapshotHeader>

/** The header and the refs that followed it: 32-byte ids, concatenated (checked sorted and unique here). */
export type CreateSnapshotInput = CreateSnapshotHeader & Readonly<{ refs: Uint8Array }>
export type CreateSnapshotOutput = Readonly<{ record: SnapshotRecord; created: boolean }>
export type CreateSnapshotError =
  | InvalidProtocolMessage
  | DeviceNotFound
  | DeviceRevoked
  | BadSignature
  | SnapshotExists
  | RefsMissing
  | Unavailable
/**
 * Creates a snapshot once the device's signature verifies and every ref is held by the account: the record and
 * its refs, the device's last-seen time and the `snapshot-created` event, in one transaction under the
 * account's collector lock. The same snapshot again (same id, signature and refs) is a retry.
 */
export type CreateSnapshot = (
  input: CreateSnapshotInput,
  caller: Caller,
) => TE.TaskEither<CreateSnapshotError, CreateSnapshotOutput>
export type CreateSnapshotDeps = Pick<Ports, 'unitOfWork' | 'signatures' | 'hasher' | 'clock'>

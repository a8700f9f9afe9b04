/**
 * Helpers for the snapshot use-case tests over the in-memory application: a caller with a registered device,
 * hand-built packs as the use cases take them, and snapshot inputs signed by the device.
 */
import { randomBytes, randomUUID, sign as ed25519Sign } from 'node:crypto'
import type { ObjectId as ClientObjectId } from '../../client/snapshot/object'
import { buildPack, type Pack } from '../../client/snapshot/pack'
import {
  refsBytes,
  snapshotSigningBytes,
  type SnapshotId as ClientSnapshotId,
} from '../../client/snapshot/snapshot-record'
import type { Caller } from '../../application/context'
import type { CreateSnapshotInput, PutPackInput } from '../../application/snapshots'
import type { Ed25519Signature } from '../../domain/ids'
import type { ObjectId, SnapshotMetadata } from '../../domain/snapshot'
import type { InMemoryZkeb } from '../support/in-memory-zkeb'
import { addDevice, callerFor, type DeviceKey, register } from '../support/test-client'

export type SnapshotCaller = Readonly<{ caller: Caller; deviceId: string; key: DeviceKey }>

export const aSnapshotCaller = async (z: InMemoryZkeb): Promise<SnapshotCaller> => {
  const caller = await callerFor(z.useCases, await register(z.useCases))
  const { device, key } = await addDevice(z.useCases, caller)
  return { caller, deviceId: device.deviceId, key }
}

export const aPackOf = (lengths: ReadonlyArray<number>, ids?: ReadonlyArray<string>): Pack =>
  buildPack(
    lengths.map((length, i) => ({
      id: (ids?.[i] ?? randomBytes(32).toString('hex')) as ClientObjectId,
      bytes: new Uint8Array(randomBytes(length)),
    })),
  )

export const packInput = (pack: Pick<Pack, 'packId' | 'sha256' | 'bytes'>): PutPackInput =>
  ({ packId: pack.packId, contentSha256: pack.sha256, contentLength: pack.bytes.length }) as PutPackInput

export const idsOf = (pack: Pack): ObjectId[] => pack.entries.map((e) => e.id as string as ObjectId)

/** A create input over `refs`, signed by the caller's device (or by `key`); ids overridden are signed too. */
export const aSnapshotInput = (
  who: SnapshotCaller,
  refs: ReadonlyArray<string>,
  overrides: Partial<CreateSnapshotInput> = {},
  key: DeviceKey = who.key,
): CreateSnapshotInput => {
  const sorted = [...new Set(refs)].sort() as ClientObjectId[]
  const base = {
    snapshotId: overrides.snapshotId ?? randomUUID(),
    seriesId: overrides.seriesId ?? randomBytes(32).toString('hex'),
    deviceId: overrides.deviceId ?? who.deviceId,
    encryptedMetadata: new Uint8Array(randomBytes(400)),
  }
  const signed = snapshotSigningBytes({
    ...base,
    snapshotId: base.snapshotId as ClientSnapshotId,
    refs: sorted,
  })
  return {
    ...base,
    encryptedMetadata: Buffer.from(base.encryptedMetadata).toString('base64url') as SnapshotMetadata,
    signature: ed25519Sign(null, signed, key.privateKey).toString('base64url') as Ed25519Signature,
    refCount: sorted.length,
    refs: refsBytes(sorted),
    ...overrides,
  } as CreateSnapshotInput
}

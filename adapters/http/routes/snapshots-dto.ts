/**
 * The wire shapes of the snapshot routes (protocol v1.1 §8): ids as lowercase hex or UUIDs, binary fields
 * base64url, times ISO-8601 UTC. The account id and blob ids stay internal.
 */
import type { PutPackOutput } from '../../../application/snapshots'
import type { SnapshotKey, SnapshotRecord } from '../../../domain/snapshot'

export const toSnapshotKeyDto = (k: SnapshotKey) => ({
  wrappedKey: k.wrappedKey,
  createdAt: k.createdAt.toISOString(),
})

export const toSnapshotDto = (s: SnapshotRecord) => ({
  snapshotId: s.snapshotId,
  seriesId: s.seriesId,
  deviceId: s.deviceId,
  receivedAt: s.receivedAt.toISOString(),
  encryptedMetadata: s.encryptedMetadata,
  signature: s.signature,
  refCount: s.refCount,
  refsSha256: s.refsSha256,
})

export const toPackDto = (out: PutPackOutput) => ({
  packId: out.pack.packId,
  sizeBytes: out.pack.sizeBytes,
  objects: out.pack.objectCount,
  newObjects: out.newObjects,
  newBytes: out.newBytes,
})

/** Snapshots (protocol v1.1): the repository key, objects and packs, snapshot records. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { createSnapshot } from './create-snapshot'
import type { CreateSnapshot } from './create-snapshot-input'
import { deleteSnapshot, type DeleteSnapshot } from './delete-snapshot'
import { getSnapshot, type GetSnapshot } from './get-snapshot'
import { getSnapshotKey, type GetSnapshotKey } from './get-snapshot-key'
import { getSnapshotRefs, type GetSnapshotRefs } from './get-snapshot-refs'
import { hasObjects, type HasObjects } from './has-objects'
import { listSnapshots, type ListSnapshots } from './list-snapshots'
import { putPack } from './put-pack'
import type { PutPack } from './put-pack-input'
import { putSnapshotKey, type PutSnapshotKey } from './put-snapshot-key'
import { readObjects, type ReadObjects } from './read-objects'
import { getSnapshotStats, type GetSnapshotStats } from './snapshot-stats'

export * from './create-snapshot'
export * from './create-snapshot-input'
export * from './delete-snapshot'
export * from './get-snapshot'
export * from './get-snapshot-key'
export * from './get-snapshot-refs'
export * from './has-objects'
export * from './list-snapshots'
export * from './put-pack'
export * from './put-pack-input'
export * from './put-snapshot-key'
export * from './read-objects'
export * from './snapshot-stats'

export type SnapshotUseCases = Readonly<{
  getSnapshotKey: GetSnapshotKey
  putSnapshotKey: PutSnapshotKey
  hasObjects: HasObjects
  putPack: PutPack
  readObjects: ReadObjects
  createSnapshot: CreateSnapshot
  listSnapshots: ListSnapshots
  getSnapshot: GetSnapshot
  getSnapshotRefs: GetSnapshotRefs
  deleteSnapshot: DeleteSnapshot
  getSnapshotStats: GetSnapshotStats
}>

export const makeSnapshotUseCases = (ports: Ports): SnapshotUseCases => ({
  getSnapshotKey: getSnapshotKey(ports),
  putSnapshotKey: putSnapshotKey(ports),
  hasObjects: hasObjects(ports),
  putPack: putPack(ports),
  readObjects: readObjects(ports),
  createSnapshot: createSnapshot(ports),
  listSnapshots: listSnapshots(ports),
  getSnapshot: getSnapshot(ports),
  getSnapshotRefs: getSnapshotRefs(ports),
  deleteSnapshot: deleteSnapshot(ports),
  getSnapshotStats: getSnapshotStats(ports),
})

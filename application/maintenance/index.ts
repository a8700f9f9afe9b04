/** Scheduled jobs (trash purge, snapshot and blob GC) and the readiness check. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { purgeExpiredTrash, type PurgeExpiredTrash } from './purge-expired-trash'
import { collectGarbageBlobs, type CollectGarbageBlobs } from './collect-garbage-blobs'
import { checkReadiness, type CheckReadiness } from './check-readiness'
import { collectSnapshotGarbage, type CollectSnapshotGarbage } from './collect-snapshot-garbage'

export * from './check-readiness'
export * from './collect-garbage-blobs'
export * from './collect-snapshot-garbage'
export * from './purge-expired-trash'

export type MaintenanceUseCases = Readonly<{
  purgeExpiredTrash: PurgeExpiredTrash
  collectGarbageBlobs: CollectGarbageBlobs
  collectSnapshotGarbage: CollectSnapshotGarbage
  checkReadiness: CheckReadiness
}>

export const makeMaintenanceUseCases = (ports: Ports): MaintenanceUseCases => ({
  purgeExpiredTrash: purgeExpiredTrash(ports),
  collectGarbageBlobs: collectGarbageBlobs(ports),
  collectSnapshotGarbage: collectSnapshotGarbage(ports),
  checkReadiness: checkReadiness(ports),
})

/**
 * The application as one typed record: what the HTTP adapter drives and what internal tools embed in-process.
 * Each feature folder owns its registry; `makeUseCases` joins them. The composition root supplies the ports.
 */
import { makeAccountUseCases, type AccountUseCases } from './accounts'
import { makeAuditUseCases, type AuditUseCases } from './audit'
import { makeBackupUseCases, type BackupUseCases } from './backups'
import { makeDeviceUseCases, type DeviceUseCases } from './devices'
import { makeKeyRotationUseCases, type KeyRotationUseCases } from './key-rotation'
import { makeMaintenanceUseCases, type MaintenanceUseCases } from './maintenance'
import type { Ports } from './ports'
import { makeResticUseCases, type ResticUseCases } from './restic'
import { makeSecondFactorUseCases, type SecondFactorUseCases } from './second-factors'
import { makeSessionUseCases, type SessionUseCases } from './sessions'
import { makeSnapshotUseCases, type SnapshotUseCases } from './snapshots'
import { makeUploadUseCases, type UploadUseCases } from './uploads'

export type UseCases = AccountUseCases &
  KeyRotationUseCases &
  SessionUseCases &
  SecondFactorUseCases &
  DeviceUseCases &
  BackupUseCases &
  UploadUseCases &
  ResticUseCases &
  SnapshotUseCases &
  MaintenanceUseCases &
  AuditUseCases

/** Every use case wired from one set of ports. Each factory takes only the ports it declares. */
export const makeUseCases = (ports: Ports): UseCases => ({
  ...makeAccountUseCases(ports),
  ...makeKeyRotationUseCases(ports),
  ...makeSessionUseCases(ports),
  ...makeSecondFactorUseCases(ports),
  ...makeDeviceUseCases(ports),
  ...makeBackupUseCases(ports),
  ...makeUploadUseCases(ports),
  ...makeResticUseCases(ports),
  ...makeSnapshotUseCases(ports),
  ...makeMaintenanceUseCases(ports),
  ...makeAuditUseCases(ports),
})

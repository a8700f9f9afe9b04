/** What the operator's use cases need: the application's ports plus the maintenance-only ones. */
import type { Ports } from '../ports'
import type { BackfillJobs } from '../ports/backfill-jobs'
import type { MaintenanceQueries } from '../ports/maintenance-queries'
import type { Throttle } from '../ports/throttle'

export type AdminPorts = Ports &
  Readonly<{ backfills: BackfillJobs; maintenance: MaintenanceQueries; throttle: Throttle }>

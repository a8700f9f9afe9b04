/**
 * Service-wide statistics for operators. Collecting unreferenced blobs is the use case collectGarbageBlobs
 * (application/maintenance), the same one the background schedule runs, so it works with every blob store.
 */
import type * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'
import type { ServiceStats } from '../ports/maintenance-queries'
import type { AdminPorts } from './ports'

export type GetServiceStats = () => TE.TaskEither<Unavailable, ServiceStats>
export const getServiceStats =
  (deps: Pick<AdminPorts, 'maintenance'>): GetServiceStats =>
  () =>
    deps.maintenance.stats()

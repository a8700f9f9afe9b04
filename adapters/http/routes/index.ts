/** Every route of api-v1 on one router; the OpenAPI document describes exactly these (a test checks it). */
import { streamSlots } from '../middleware/stream-slots'
import { openApiDocument } from '../openapi'
import { sendJson } from '../respond'
import { registerAccountRoutes } from './accounts'
import { registerAuditRoutes } from './audit'
import { registerBackupRoutes } from './backups'
import { registerBackupContentRoutes } from './backups-content'
import { registerDeviceRoutes } from './devices'
import { registerKeyRotationRoutes } from './key-rotations'
import { type HealthDeps, registerMaintenanceRoutes } from './maintenance'
import { registerResticTokenRoutes } from './restic'
import { type ApiRouter, newRouter, type RouteDeps } from './route-kit'
import { registerSecondFactorRoutes } from './second-factors'
import { registerSessionRoutes } from './sessions'
import { registerSnapshotRoutes } from './snapshots'
import { registerSnapshotContentRoutes } from './snapshots-content'
import { registerUploadRoutes } from './uploads'

export type { HttpLimits, RouteDeps } from './route-kit'
export type { Lifecycle } from './maintenance'

/** `streams` defaults to slots of this router's own (createHttpApp shares its slots with restic's routes). */
export const createApiRouter = (
  inputs: Omit<RouteDeps, 'streams'> &
    Partial<Pick<RouteDeps, 'streams'>> &
    Omit<HealthDeps, 'checkReadiness'>,
): ApiRouter => {
  const deps = { ...inputs, streams: inputs.streams ?? streamSlots(inputs.limits.accountStreamsMax) }
  const router = newRouter()
  registerMaintenanceRoutes(router, { ...deps, checkReadiness: deps.useCases.checkReadiness })
  registerAccountRoutes(router, deps)
  registerKeyRotationRoutes(router, deps)
  registerSessionRoutes(router, deps)
  registerSecondFactorRoutes(router, deps)
  registerDeviceRoutes(router, deps)
  registerBackupRoutes(router, deps)
  registerBackupContentRoutes(router, deps)
  registerUploadRoutes(router, deps)
  registerAuditRoutes(router, deps)
  registerResticTokenRoutes(router, deps)
  registerSnapshotRoutes(router, deps)
  registerSnapshotContentRoutes(router, deps)
  const document = openApiDocument(deps)
  router.get('/api/openapi.json', (ctx) => sendJson(ctx, 200, document))
  return router
}

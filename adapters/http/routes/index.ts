/** Every route of api-v1 on one router; the OpenAPI document describes exactly these (a test checks it). */
import { openApiDocument } from '../openapi'
import { sendJson } from '../respond'
import { registerAccountRoutes } from './account'
import { registerBackupContentRoutes } from './backup-content'
import { registerBackupRoutes } from './backups'
import { type HealthDeps, registerHealthRoutes } from './health'
import { registerKeyAndAuditRoutes } from './keys-and-audit'
import { type ApiRouter, newRouter, type RouteDeps } from './route-kit'
import { registerDeviceRoutes } from './devices'
import { registerResticTokenRoutes } from './restic-tokens'
import { registerSessionRoutes } from './sessions'
import { registerUploadRoutes } from './uploads'

export type { HttpLimits, RouteDeps } from './route-kit'
export type { Lifecycle } from './health'

export const createApiRouter = (deps: RouteDeps & Omit<HealthDeps, 'checkReadiness'>): ApiRouter => {
  const router = newRouter()
  registerHealthRoutes(router, { ...deps, checkReadiness: deps.useCases.checkReadiness })
  registerSessionRoutes(router, deps)
  registerAccountRoutes(router, deps)
  registerDeviceRoutes(router, deps)
  registerBackupRoutes(router, deps)
  registerBackupContentRoutes(router, deps)
  registerUploadRoutes(router, deps)
  registerKeyAndAuditRoutes(router, deps)
  registerResticTokenRoutes(router, deps)
  const document = openApiDocument(deps)
  router.get('/api/openapi.json', (ctx) => sendJson(ctx, 200, document))
  return router
}

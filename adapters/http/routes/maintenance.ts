/** Health (application/maintenance): liveness, and readiness with the process's place in its life. */
import type { CheckReadiness } from '../../../application/maintenance'
import { sendJson } from '../respond'
import type { ApiRouter } from './route-kit'

/** Where the process is in its life; the composition root flips it (ready after boot, draining on SIGTERM). */
export type Lifecycle = 'starting' | 'ready' | 'draining'

export type HealthDeps = Readonly<{
  checkReadiness: CheckReadiness
  version: string
  lifecycle: () => Lifecycle
}>

export const registerMaintenanceRoutes = (router: ApiRouter, deps: HealthDeps): void => {
  router.get('/api/health/live', (ctx) => sendJson(ctx, 200, { status: 'ok' }))

  router.get('/api/health', async (ctx) => {
    const lifecycle = deps.lifecycle()
    const readiness = await deps.checkReadiness()()
    const status = lifecycle !== 'ready' ? lifecycle : readiness.ready ? 'ok' : 'degraded'
    sendJson(ctx, status === 'ok' ? 200 : 503, { status, version: deps.version, checks: readiness.checks })
  })
}

/**
 * Knows when a freshly started instance may take traffic: every migration this code expects is applied
 * (by this process, or by the deploy's preDeployCommand when MIGRATE_ON_START=false) and every store answers.
 * Until then /api/health stays 503 "starting", so a load balancer or Railway never routes to it early.
 */
import type { Logger } from 'pino'
import type { CheckReadiness } from '../../application/maintenance'

export type ReadinessGateDeps = Readonly<{
  pendingMigrations: () => Promise<number>
  checkReadiness: CheckReadiness
  logger: Logger
  /** Pause between two checks. */
  intervalMs?: number
}>

/** What one check found; `ready` only when nothing is pending and every store answered. */
export type GateCheck = Readonly<{ ready: boolean; pendingMigrations: number | 'unknown'; failing: string[] }>

export const checkGate = async (deps: ReadinessGateDeps): Promise<GateCheck> => {
  const pending = await deps.pendingMigrations().catch(() => 'unknown' as const)
  const readiness = await deps.checkReadiness()()
  const failing = Object.entries(readiness.checks)
    .filter(([, state]) => state !== 'ok')
    .map(([name]) => name)
  return { ready: pending === 0 && readiness.ready, pendingMigrations: pending, failing }
}

/**
 * Resolves true once the instance is ready, or false if `stopped` aborts first (SIGTERM while starting).
 * Logs what it waits for when that changes, never more than once per distinct state.
 */
export const waitUntilReady = async (deps: ReadinessGateDeps, stopped: AbortSignal): Promise<boolean> => {
  const intervalMs = deps.intervalMs ?? 1000
  let lastReported = ''
  while (!stopped.aborted) {
    const check = await checkGate(deps)
    if (check.ready) return true
    const state = JSON.stringify(check)
    if (state !== lastReported)
      deps.logger.warn(
        { pendingMigrations: check.pendingMigrations, failing: check.failing },
        'not ready yet: waiting for migrations and stores',
      )
    lastReported = state
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs)
      stopped.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
    })
  }
  return false
}

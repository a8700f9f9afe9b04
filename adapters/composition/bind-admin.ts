/**
 * Binds the operator's side: the maintenance ports (backfill jobs, cross-account queries, a real-timer
 * throttle) over the application role's pool, and the admin use cases that `zkeb-admin` drives in-process.
 */
import type { Container } from 'inversify'
import type { Knex } from 'knex'
import { type AdminUseCases, makeAdminUseCases } from '../../application/admin'
import type { Ports } from '../../application/ports'
import type { Throttle } from '../../application/ports/throttle'
import { knexBackfillJobs } from '../persistence/knex/knex-backfill-jobs'
import { knexMaintenanceQueries } from '../persistence/knex/knex-maintenance-queries'
import { id, type Token, TOKENS } from './tokens'

export const ADMIN_TOKENS = {
  AdminUseCases: Symbol.for('zkeb/AdminUseCases') as Token<AdminUseCases>,
}

export const timerThrottle: Throttle = {
  wait: (ms) => () => new Promise((resolve) => setTimeout(resolve, ms)),
}

export const bindAdmin = (c: Container): void => {
  c.bind(id(ADMIN_TOKENS.AdminUseCases)).toResolvedValue(
    (ports: Ports, knex: Knex) =>
      makeAdminUseCases({
        ...ports,
        backfills: knexBackfillJobs(knex),
        maintenance: knexMaintenanceQueries(knex),
        throttle: timerThrottle,
      }),
    [id(TOKENS.Ports), id(TOKENS.AppKnex)],
  )
}

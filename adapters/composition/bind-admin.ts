/**
 * Binds the operator's side: the admin use cases that `zkeb-admin` drives in-process, over the application's
 * ports plus the maintenance-only ones (backfill jobs and cross-account queries, bound with the persistence
 * they read; a real-timer throttle).
 */
import type { Container } from 'inversify'
import { type AdminPorts, type AdminUseCases, makeAdminUseCases } from '../../application/admin'
import type { Throttle } from '../../application/ports/throttle'
import { id, PORT_TOKENS, resolveRecord, type Token, type Tokens, TOKENS } from './tokens'

export const ADMIN_TOKENS = {
  AdminUseCases: Symbol.for('zkeb/AdminUseCases') as Token<AdminUseCases>,
}

export const timerThrottle: Throttle = {
  wait: (ms) => () => new Promise((resolve) => setTimeout(resolve, ms)),
}

const adminPortTokens: Tokens<AdminPorts> = {
  ...PORT_TOKENS,
  backfills: TOKENS.BackfillJobs,
  maintenance: TOKENS.MaintenanceQueries,
  throttle: TOKENS.Throttle,
}

export const bindAdmin = (c: Container): void => {
  c.bind(id(TOKENS.Throttle)).toConstantValue(timerThrottle)
  c.bind(id(ADMIN_TOKENS.AdminUseCases)).toDynamicValue((context) =>
    makeAdminUseCases(resolveRecord(context, adminPortTokens)),
  )
}

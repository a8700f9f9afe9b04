/** The account's own audit trail. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { listAudit, type ListAudit } from './list-audit'

export * from './list-audit'

export type AuditUseCases = Readonly<{
  listAudit: ListAudit
}>

export const makeAuditUseCases = (ports: Ports): AuditUseCases => ({
  listAudit: listAudit(ports),
})

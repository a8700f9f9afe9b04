/**
 * Knows the audit trail as a client reads it: every page, oldest first, and the hash chain checked here with
 * the domain's own canonical bytes (domain/audit.ts firstBrokenLink), so a server cannot quietly edit,
 * drop or reorder events in the middle of the list.
 */
import type * as E from 'fp-ts/Either'
import { firstBrokenLink, type AuditEvent } from '../../domain/audit'
import type { AccountId, DeviceId, EventId, Sha256Hex } from '../../domain/ids'
import { sha256Hex } from './encoding'
import { attempt, type SdkError } from './errors'
import type { Session } from './session'
import type { AuditEventDto } from './wire'

export type AuditTrail = Readonly<{
  events: ReadonlyArray<AuditEventDto>
  /** Index of the first event whose link or hash does not hold; -1 when the whole chain holds. */
  firstBroken: number
}>

/** The event as hashed, or undefined when its time does not survive the ISO round trip it was hashed in. */
const asAuditEvent = (accountId: string, e: AuditEventDto): AuditEvent | undefined => {
  const at = new Date(e.at)
  if (Number.isNaN(at.getTime()) || at.toISOString() !== e.at) return undefined
  return {
    ...e,
    accountId: accountId as AccountId,
    eventId: e.eventId as EventId,
    type: e.type as AuditEvent['type'],
    at,
    deviceId: e.deviceId as DeviceId | null,
    prevHash: e.prevHash as Sha256Hex,
    hash: e.hash as Sha256Hex,
  }
}

/** Checks the chain from genesis; an event whose time cannot be re-hashed counts as broken. */
export const verifyAuditChain = (accountId: string, events: ReadonlyArray<AuditEventDto>): number => {
  const parsed = events.map((e) => asAuditEvent(accountId, e))
  const unparsable = parsed.findIndex((e) => e === undefined)
  const prefix = (unparsable < 0 ? parsed : parsed.slice(0, unparsable)) as AuditEvent[]
  const broken = firstBrokenLink(prefix, sha256Hex)
  return broken >= 0 ? broken : unparsable
}

/** The whole trail and where (if anywhere) its chain breaks. */
export const fetchAudit = (session: Session): Promise<E.Either<SdkError, AuditTrail>> =>
  attempt(async () => {
    const events: AuditEventDto[] = []
    let cursor: string | undefined
    do {
      const page = await session.http.listAudit({ limit: 200, ...(cursor === undefined ? {} : { cursor }) })
      events.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return { events, firstBroken: verifyAuditChain(session.accountId, events) }
  })

/**
 * The tamper-evident audit trail: each event's hash covers its canonical fields and the previous hash, so
 * anyone holding the list can check the chain. Events name what happened, never content.
 */
import * as t from 'io-ts'
import { AccountId, DeviceId, EventId, Sha256Hex } from './ids'

export const AuditEventType = t.keyof({
  registered: null,
  login: null,
  'login-failed': null,
  logout: null,
  'device-added': null,
  'device-revoked': null,
  'backup-uploaded': null,
  'backup-deleted': null,
  'backup-restored': null,
  'backup-purged': null,
  'key-rotated': null,
  'password-changed': null,
  recovered: null,
  'key-bundle-updated': null,
  'restic-token-created': null,
  'restic-token-revoked': null,
  'snapshot-created': null,
  'snapshot-deleted': null,
  // Second factors (enrolment is confirmed by a valid code; a failure needs the password, so it is rare).
  'second-factor-enrolled': null,
  'second-factor-removed': null,
  'second-factor-failed': null,
  'recovery-code-used': null,
  // Operator actions (zkeb-admin), named as such so the account's own activity view tells them apart.
  'operator-account-disabled': null,
  'operator-account-enabled': null,
  'operator-quota-changed': null,
  'operator-sessions-revoked': null,
})
export type AuditEventType = t.TypeOf<typeof AuditEventType>

export type OtherReleaseEventTypeBrand = { readonly OtherReleaseEventType: unique symbol }
/**
 * A type this release does not record but another one did: during a blue-green overlap, or after a rollback,
 * the older release still lists (and hash-checks) a trail holding a newer release's events. The set is open.
 */
export const OtherReleaseEventType = t.brand(
  t.string,
  (s): s is t.Branded<string, OtherReleaseEventTypeBrand> => /^[a-z][a-z0-9-]{0,63}$/.test(s),
  'OtherReleaseEventType',
)
export const RecordedEventType = t.union([AuditEventType, OtherReleaseEventType])
export type RecordedEventType = t.TypeOf<typeof RecordedEventType>

/** What a use case asks to record; the log assigns id, time, and the chain. */
export type AuditDraft = Readonly<{
  accountId: AccountId
  type: AuditEventType
  deviceId: DeviceId | null
  requestId: string
}>

export type AuditEvent = Readonly<{
  eventId: EventId
  accountId: AccountId
  type: RecordedEventType
  at: Date
  deviceId: DeviceId | null
  requestId: string
  prevHash: Sha256Hex
  hash: Sha256Hex
}>

/** The hash of "no previous event". */
export const genesisHash = '0'.repeat(64) as Sha256Hex

/**
 * The exact bytes hashed for an event, one field a line, documented in the OpenAPI so clients can verify:
 * `zkeb/v1/audit\n eventId\n type\n at(ISO-8601 ms)\n deviceId|""\n requestId\n prevHash\n`.
 */
export const auditCanonicalBytes = (e: Omit<AuditEvent, 'hash' | 'accountId'>): Uint8Array =>
  new TextEncoder().encode(
    [
      'zkeb/v1/audit',
      e.eventId,
      e.type,
      e.at.toISOString(),
      e.deviceId ?? '',
      e.requestId,
      e.prevHash,
      '',
    ].join('\n'),
  )

/**
 * Index of the first event whose chain link or hash does not hold, or -1 when the whole chain holds.
 * `expectedPrev` is the hash before the first event (genesis for a full list).
 */
export const firstBrokenLink = (
  events: ReadonlyArray<AuditEvent>,
  sha256Hex: (bytes: Uint8Array) => string,
  expectedPrev: string = genesisHash,
): number => {
  let prev = expectedPrev
  for (const [i, e] of events.entries()) {
    if (e.prevHash !== prev || sha256Hex(auditCanonicalBytes(e)) !== e.hash) return i
    prev = e.hash
  }
  return -1
}

/** A request id is echoed into the audit trail, so it is bounded and plain. */
export const sanitizeRequestId = (candidate: string | undefined): string | undefined =>
  candidate !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(candidate) ? candidate : undefined

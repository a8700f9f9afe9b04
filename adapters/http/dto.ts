/**
 * The wire shapes of api-v1, in one place: dates as ISO-8601 UTC, absent Options as null, internal fields
 * (blob ids, account ids on owned resources) left out.
 */
import * as O from 'fp-ts/Option'
import type { AccountView, RecoveryStarted } from '../../application/accounts'
import type { AuditEvent } from '../../domain/audit'
import type { Backup } from '../../domain/backup'
import type { Device } from '../../domain/device'
import type { Page } from '../../domain/pagination'

const iso = (date: Date): string => date.toISOString()
const isoOrNull = (date: O.Option<Date>): string | null => (O.isSome(date) ? iso(date.value) : null)

/** The upload answer: what the client needs to confirm its upload landed. */
export const toBackupSummaryDto = (b: Backup) => ({
  backupId: b.backupId,
  sizeBytes: b.sizeBytes,
  sha256: b.sha256,
  deviceId: b.deviceId,
  parentId: O.toNullable(b.parentId),
  createdAt: iso(b.createdAt),
})

/**
 * One backup with everything its owner needs to decrypt and verify it: the summary's fields, then the rest.
 * Written out rather than spread from toBackupSummaryDto: V8 builds an object spread into a literal with more
 * fields about ten times slower, and this runs for every row of every page.
 */
export const toBackupDto = (b: Backup) => ({
  backupId: b.backupId,
  sizeBytes: b.sizeBytes,
  sha256: b.sha256,
  deviceId: b.deviceId,
  parentId: O.toNullable(b.parentId),
  createdAt: iso(b.createdAt),
  encryptedMetadata: b.encryptedMetadata,
  wrappedKey: b.wrappedKey,
  signature: b.signature,
  keyVersion: b.keyVersion,
  deletedAt: isoOrNull(b.deletedAt),
})

/** A device, with its Ed25519 public key (public by nature) so clients can verify the uploads it signed. */
export const toDeviceDto = (d: Device) => ({
  deviceId: d.deviceId,
  publicKey: d.publicKey,
  encryptedName: d.encryptedName,
  createdAt: iso(d.createdAt),
  lastSeenAt: iso(d.lastSeenAt),
  revokedAt: isoOrNull(d.revokedAt),
})

export const toAccountDto = (a: AccountView) => ({
  accountId: a.accountId,
  username: a.username,
  createdAt: iso(a.createdAt),
  keyBundle: {
    passwordWrappedUmk: a.keyBundle.passwordWrappedUmk,
    recoveryWrappedUmk: a.keyBundle.recoveryWrappedUmk,
  },
  keyBundleVersion: a.keyBundleVersion,
  quota: { limitBytes: a.quota.limitBytes, usedBytes: a.quota.usedBytes },
})

/**
 * Only for a caller who proved the recovery key: the token plus the recovery-wrapped UMK (ciphertext that
 * only the recovery key opens) and its version, so recovery finishes without a login in between.
 */
export const toRecoveryStartedDto = (r: RecoveryStarted) => ({
  recoveryToken: r.recoveryToken,
  recoveryWrappedUmk: r.recoveryWrappedUmk,
  keyBundleVersion: r.keyBundleVersion,
})

/** Audit events, never content: `at` has milliseconds, exactly the string hashed into `hash`. */
export const toAuditEventDto = (e: AuditEvent) => ({
  eventId: e.eventId,
  type: e.type,
  at: iso(e.at),
  deviceId: e.deviceId,
  requestId: e.requestId,
  prevHash: e.prevHash,
  hash: e.hash,
})

export const toPageDto = <T, D>(page: Page<T>, toDto: (item: T) => D) => ({
  items: page.items.map(toDto),
  nextCursor: page.nextCursor,
})

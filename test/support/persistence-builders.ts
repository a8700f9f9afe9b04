/** Builders for the persistence contracts: valid domain values with fresh ids and millisecond timestamps. */
import { randomBytes, randomUUID } from 'node:crypto'
import * as O from 'fp-ts/Option'
import type { Account, KeyBundle } from '../../domain/account'
import type { AuditDraft } from '../../domain/audit'
import type { Backup } from '../../domain/backup'
import type { Device } from '../../domain/device'
import type { AccountId, BackupId, Base64Url, BlobId, DeviceId, Sha256Hex, Username } from '../../domain/ids'

/** Unpadded base64url of `n` random bytes, typed as whichever opaque field needs it. */
export const opaqueBytes = <T extends Base64Url>(n: number): T => randomBytes(n).toString('base64url') as T

export const anAccountId = (): AccountId => randomUUID() as AccountId
export const aDeviceId = (): DeviceId => randomUUID() as DeviceId
export const aBackupId = (): BackupId => randomUUID() as BackupId
export const aBlobId = (): BlobId => randomUUID() as BlobId

/** A time with milliseconds: truncation to seconds (or microsecond drift) must show up in tests. */
export const at = (offsetMs = 0): Date => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678) + offsetMs)

export const aKeyBundle = (): KeyBundle => ({
  passwordWrappedUmk: opaqueBytes(60),
  recoveryWrappedUmk: opaqueBytes(60),
})

export const anAccount = (overrides: Partial<Account> = {}): Account => ({
  accountId: anAccountId(),
  username: `user-${randomUUID().slice(0, 8)}` as Username,
  createdAt: at(),
  opaqueRecord: opaqueBytes(192),
  keyBundle: aKeyBundle(),
  keyBundleVersion: 1,
  recoveryVerifier: opaqueBytes(32),
  quotaLimitBytes: 10 * 1024 ** 3,
  disabledAt: O.none,
  ...overrides,
})

export const aDevice = (accountId: AccountId, overrides: Partial<Device> = {}): Device => ({
  deviceId: aDeviceId(),
  accountId,
  publicKey: opaqueBytes(32),
  encryptedName: opaqueBytes(40),
  createdAt: at(),
  lastSeenAt: at(),
  revokedAt: O.none,
  ...overrides,
})

export const aBackup = (
  accountId: AccountId,
  deviceId: DeviceId,
  overrides: Partial<Backup> = {},
): Backup => ({
  backupId: aBackupId(),
  accountId,
  deviceId,
  parentId: O.none,
  blobId: aBlobId(),
  sizeBytes: 1000,
  sha256: randomBytes(32).toString('hex') as Sha256Hex,
  encryptedMetadata: opaqueBytes(100),
  wrappedKey: opaqueBytes(60),
  signature: opaqueBytes(64),
  keyVersion: 1,
  createdAt: at(),
  deletedAt: O.none,
  ...overrides,
})

export const anAuditDraft = (accountId: AccountId, overrides: Partial<AuditDraft> = {}): AuditDraft => ({
  accountId,
  type: 'login',
  deviceId: null,
  requestId: `req-${randomUUID().slice(0, 8)}`,
  ...overrides,
})

/** Yields `bytes` in pieces of `size`, one event-loop turn apart, the way a request body arrives. */
export async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    await new Promise((resolve) => setImmediate(resolve))
    yield bytes.subarray(i, i + size)
  }
}

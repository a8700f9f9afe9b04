/**
 * The domain's closed set of failures. Each is a plain tagged value so tests can `deep.equal` them and the
 * HTTP edge can map them exhaustively. No HTTP codes here, and never a submitted value: only ids and paths.
 */
import type { BackupId, DeviceId } from './ids'
import type { RotationDomainError } from './rotation-errors'
import type { SnapshotDomainError } from './snapshot-errors'

export type UsernameTaken = { readonly _tag: 'UsernameTaken' }
export type AccountNotFound = { readonly _tag: 'AccountNotFound' }
export type InvalidCredentials = { readonly _tag: 'InvalidCredentials' }
export type InvalidRecoveryProof = { readonly _tag: 'InvalidRecoveryProof' }
export type InvalidRefreshToken = { readonly _tag: 'InvalidRefreshToken' }
export type RefreshTokenReused = { readonly _tag: 'RefreshTokenReused' }
export type Unauthenticated = { readonly _tag: 'Unauthenticated' }
/** A sensitive operation asked by a session whose login is older than `maxAgeSeconds`: log in again first. */
export type FreshLoginRequired = { readonly _tag: 'FreshLoginRequired'; readonly maxAgeSeconds: number }
export type VersionMismatch = { readonly _tag: 'VersionMismatch'; readonly currentVersion: number }
export type DeviceNotFound = { readonly _tag: 'DeviceNotFound'; readonly deviceId: DeviceId }
export type DeviceRevoked = { readonly _tag: 'DeviceRevoked'; readonly deviceId: DeviceId }
/** The account already has a device with this public key (revoked or not): one device per key. */
export type DeviceExists = { readonly _tag: 'DeviceExists' }
export type BackupNotFound = { readonly _tag: 'BackupNotFound'; readonly backupId: BackupId }
export type BackupExists = { readonly _tag: 'BackupExists'; readonly backupId: BackupId }
export type ParentNotFound = { readonly _tag: 'ParentNotFound'; readonly parentId: BackupId }
export type ContentHashMismatch = { readonly _tag: 'ContentHashMismatch' }
export type ContentLengthMismatch = { readonly _tag: 'ContentLengthMismatch' }
export type BadSignature = { readonly _tag: 'BadSignature' }
export type QuotaExceeded = {
  readonly _tag: 'QuotaExceeded'
  readonly limitBytes: number
  readonly usedBytes: number
}
export type UploadTooLarge = { readonly _tag: 'UploadTooLarge'; readonly maxBytes: number }
export type NotInTrash = { readonly _tag: 'NotInTrash'; readonly backupId: BackupId }
export type RotationIncomplete = {
  readonly _tag: 'RotationIncomplete'
  readonly missing: ReadonlyArray<BackupId>
  /** Given when `missing` names only the first of them (a staged rotation's commit). */
  readonly missingCount?: number
}
export type RotationUnknownBackups = {
  readonly _tag: 'RotationUnknownBackups'
  readonly unknown: ReadonlyArray<BackupId>
}
export type RangeNotSatisfiable = { readonly _tag: 'RangeNotSatisfiable'; readonly sizeBytes: number }
export type InvalidCursor = { readonly _tag: 'InvalidCursor' }
export type ResticTokenNotFound = { readonly _tag: 'ResticTokenNotFound' }
/** The password was proved; a login of this account also needs one of `accepted` (never sent before that). */
export type SecondFactorRequired = {
  readonly _tag: 'SecondFactorRequired'
  readonly accepted: ReadonlyArray<'totp' | 'recovery-code'>
}
export type SecondFactorInvalid = { readonly _tag: 'SecondFactorInvalid' }
export type FactorNotFound = { readonly _tag: 'FactorNotFound' }
/** A client protocol message (OPAQUE) that does not parse; `path` names the field, never its value. */
export type InvalidProtocolMessage = { readonly _tag: 'InvalidProtocolMessage'; readonly path: string }

export type DomainError =
  | UsernameTaken
  | AccountNotFound
  | InvalidCredentials
  | InvalidRecoveryProof
  | InvalidRefreshToken
  | RefreshTokenReused
  | Unauthenticated
  | FreshLoginRequired
  | VersionMismatch
  | DeviceNotFound
  | DeviceRevoked
  | DeviceExists
  | BackupNotFound
  | BackupExists
  | ParentNotFound
  | ContentHashMismatch
  | ContentLengthMismatch
  | BadSignature
  | QuotaExceeded
  | UploadTooLarge
  | NotInTrash
  | RotationIncomplete
  | RotationUnknownBackups
  | RangeNotSatisfiable
  | InvalidCursor
  | InvalidProtocolMessage
  | ResticTokenNotFound
  | SecondFactorRequired
  | SecondFactorInvalid
  | FactorNotFound
  | SnapshotDomainError
  | RotationDomainError

export const usernameTaken: UsernameTaken = { _tag: 'UsernameTaken' }
export const accountNotFound: AccountNotFound = { _tag: 'AccountNotFound' }
export const invalidCredentials: InvalidCredentials = { _tag: 'InvalidCredentials' }
export const invalidRecoveryProof: InvalidRecoveryProof = { _tag: 'InvalidRecoveryProof' }
export const invalidRefreshToken: InvalidRefreshToken = { _tag: 'InvalidRefreshToken' }
export const refreshTokenReused: RefreshTokenReused = { _tag: 'RefreshTokenReused' }
export const unauthenticated: Unauthenticated = { _tag: 'Unauthenticated' }
export const deviceExists: DeviceExists = { _tag: 'DeviceExists' }
export const contentHashMismatch: ContentHashMismatch = { _tag: 'ContentHashMismatch' }
export const contentLengthMismatch: ContentLengthMismatch = { _tag: 'ContentLengthMismatch' }
export const badSignature: BadSignature = { _tag: 'BadSignature' }
export const invalidCursor: InvalidCursor = { _tag: 'InvalidCursor' }
export const resticTokenNotFound: ResticTokenNotFound = { _tag: 'ResticTokenNotFound' }
export const secondFactorInvalid: SecondFactorInvalid = { _tag: 'SecondFactorInvalid' }
export const factorNotFound: FactorNotFound = { _tag: 'FactorNotFound' }
export const secondFactorRequired = (accepted: SecondFactorRequired['accepted']): SecondFactorRequired => ({
  _tag: 'SecondFactorRequired',
  accepted,
})
export const invalidProtocolMessage = (path: string): InvalidProtocolMessage => ({
  _tag: 'InvalidProtocolMessage',
  path,
})
export const freshLoginRequired = (maxAgeSeconds: number): FreshLoginRequired => ({
  _tag: 'FreshLoginRequired',
  maxAgeSeconds,
})
export const versionMismatch = (currentVersion: number): VersionMismatch => ({
  _tag: 'VersionMismatch',
  currentVersion,
})
export const deviceNotFound = (deviceId: DeviceId): DeviceNotFound => ({ _tag: 'DeviceNotFound', deviceId })
export const deviceRevoked = (deviceId: DeviceId): DeviceRevoked => ({ _tag: 'DeviceRevoked', deviceId })
export const backupNotFound = (backupId: BackupId): BackupNotFound => ({ _tag: 'BackupNotFound', backupId })
export const backupExists = (backupId: BackupId): BackupExists => ({ _tag: 'BackupExists', backupId })
export const parentNotFound = (parentId: BackupId): ParentNotFound => ({ _tag: 'ParentNotFound', parentId })
export const quotaExceeded = (limitBytes: number, usedBytes: number): QuotaExceeded => ({
  _tag: 'QuotaExceeded',
  limitBytes,
  usedBytes,
})
export const uploadTooLarge = (maxBytes: number): UploadTooLarge => ({ _tag: 'UploadTooLarge', maxBytes })
export const notInTrash = (backupId: BackupId): NotInTrash => ({ _tag: 'NotInTrash', backupId })
export const rotationIncomplete = (missing: ReadonlyArray<BackupId>): RotationIncomplete => ({
  _tag: 'RotationIncomplete',
  missing,
})
/** The first missing backups, and how many miss in all. */
export const rotationIncompleteOf = (
  missing: ReadonlyArray<BackupId>,
  missingCount: number,
): RotationIncomplete => ({
  _tag: 'RotationIncomplete',
  missing,
  missingCount,
})
export const rotationUnknownBackups = (unknown: ReadonlyArray<BackupId>): RotationUnknownBackups => ({
  _tag: 'RotationUnknownBackups',
  unknown,
})
export const rangeNotSatisfiable = (sizeBytes: number): RangeNotSatisfiable => ({
  _tag: 'RangeNotSatisfiable',
  sizeBytes,
})

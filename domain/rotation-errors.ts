/**
 * The key rotation's own failures (besides RotationIncomplete and RotationUnknownBackups in errors.ts): plain
 * tagged values mapped to HTTP at the edge. They carry field paths and the caller's own rotation id, never a
 * submitted key.
 */
import type { KeyRotationId } from './key-rotation-id'

/** The same backup named twice in one request: `paths` are the later occurrences (`wrappedKeys.3.backupId`). */
export type RotationDuplicateBackups = {
  readonly _tag: 'RotationDuplicateBackups'
  readonly paths: ReadonlyArray<string>
}
/** No staged rotation of this account has this id (never begun, committed, aborted or expired). */
export type KeyRotationNotFound = { readonly _tag: 'KeyRotationNotFound' }
/** Another staged rotation of the account is open: one at a time. */
export type KeyRotationInProgress = {
  readonly _tag: 'KeyRotationInProgress'
  readonly rotationId: KeyRotationId
}

export type RotationDomainError = RotationDuplicateBackups | KeyRotationNotFound | KeyRotationInProgress

export const rotationDuplicateBackups = (paths: ReadonlyArray<string>): RotationDuplicateBackups => ({
  _tag: 'RotationDuplicateBackups',
  paths,
})
export const keyRotationNotFound: KeyRotationNotFound = { _tag: 'KeyRotationNotFound' }
export const keyRotationInProgress = (rotationId: KeyRotationId): KeyRotationInProgress => ({
  _tag: 'KeyRotationInProgress',
  rotationId,
})

/**
 * The snapshot rules' failures: plain tagged values, as in errors.ts, mapped to HTTP at the edge.
 * They carry only the caller's own ids (keyed, already known to the server), reasons and numbers.
 */
import type { ObjectId, PackId, SnapshotId } from './snapshot'

export type SnapshotKeyNotFound = { readonly _tag: 'SnapshotKeyNotFound' }
/** Another device stored a different key first: the caller reads and uses that one. */
export type SnapshotKeyExists = { readonly _tag: 'SnapshotKeyExists' }
/** A key rotation without the re-wrapped snapshot key of an account that has one. */
export type SnapshotKeyNotRotated = { readonly _tag: 'SnapshotKeyNotRotated' }
/** A key rotation carrying a snapshot key for an account that has none. */
export type SnapshotKeyNotStored = { readonly _tag: 'SnapshotKeyNotStored' }
export type PackExists = { readonly _tag: 'PackExists'; readonly packId: PackId }
export type BadPackReason = 'magic' | 'version' | 'count' | 'length' | 'duplicate-id' | 'size'
export type BadPack = { readonly _tag: 'BadPack'; readonly reason: BadPackReason }
export type PackTooLarge = { readonly _tag: 'PackTooLarge'; readonly maxBytes: number }
/** A read of objects the account does not hold (another account's are as absent as unknown ones). */
export type ObjectsNotFound = { readonly _tag: 'ObjectsNotFound'; readonly ids: ReadonlyArray<ObjectId> }
/** A snapshot whose refs name objects the account does not hold: the first ids, and how many in all. */
export type RefsMissing = {
  readonly _tag: 'RefsMissing'
  readonly ids: ReadonlyArray<ObjectId>
  readonly missingCount: number
}
export type SnapshotNotFound = { readonly _tag: 'SnapshotNotFound'; readonly snapshotId: SnapshotId }
/** The id is taken by a snapshot with another signature or other refs. */
export type SnapshotExists = { readonly _tag: 'SnapshotExists'; readonly snapshotId: SnapshotId }

export type SnapshotDomainError =
  | SnapshotKeyNotFound
  | SnapshotKeyExists
  | SnapshotKeyNotRotated
  | SnapshotKeyNotStored
  | PackExists
  | BadPack
  | PackTooLarge
  | ObjectsNotFound
  | RefsMissing
  | SnapshotNotFound
  | SnapshotExists

export const snapshotKeyNotFound: SnapshotKeyNotFound = { _tag: 'SnapshotKeyNotFound' }
export const snapshotKeyExists: SnapshotKeyExists = { _tag: 'SnapshotKeyExists' }
export const snapshotKeyNotRotated: SnapshotKeyNotRotated = { _tag: 'SnapshotKeyNotRotated' }
export const snapshotKeyNotStored: SnapshotKeyNotStored = { _tag: 'SnapshotKeyNotStored' }
export const packExists = (packId: PackId): PackExists => ({ _tag: 'PackExists', packId })
export const badPack = (reason: BadPackReason): BadPack => ({ _tag: 'BadPack', reason })
export const packTooLarge = (maxBytes: number): PackTooLarge => ({ _tag: 'PackTooLarge', maxBytes })
export const objectsNotFound = (ids: ReadonlyArray<ObjectId>): ObjectsNotFound => ({
  _tag: 'ObjectsNotFound',
  ids,
})
export const refsMissing = (ids: ReadonlyArray<ObjectId>, missingCount: number): RefsMissing => ({
  _tag: 'RefsMissing',
  ids,
  missingCount,
})
export const snapshotNotFound = (snapshotId: SnapshotId): SnapshotNotFound => ({
  _tag: 'SnapshotNotFound',
  snapshotId,
})
export const snapshotExists = (snapshotId: SnapshotId): SnapshotExists => ({
  _tag: 'SnapshotExists',
  snapshotId,
})

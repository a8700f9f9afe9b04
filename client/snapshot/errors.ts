/**
 * The snapshot engine's failures: one closed tagged union, as everywhere in ZKEB.
 * SECURITY: errors name ids (keyed, already known to the server), reasons and local paths (shown to the local
 * user only, never sent); never keys, names inside trees sent anywhere, or plaintext.
 */

/**
 * The store did not answer, or answered something outside protocol v1.1. An HTTP store adds the status and the
 * api-v1 error code of a refusal it has no other error for (an ended session, a revoked device), so a client can
 * tell them from an outage.
 */
export type StoreUnavailable = Readonly<{
  _tag: 'StoreUnavailable'
  reason: string
  status?: number
  code?: string
}>
/** The account does not hold these objects (a snapshot that references them, a read of them). */
export type ObjectsMissing = Readonly<{ _tag: 'ObjectsMissing'; ids: ReadonlyArray<string> }>
/** Storing this pack would exceed the account's quota. */
export type QuotaExceeded = Readonly<{ _tag: 'QuotaExceeded' }>
/** Another device stored a different snapshot key first: read it and use that one. */
export type SnapshotKeyExists = Readonly<{ _tag: 'SnapshotKeyExists' }>
/** The snapshot key does not open under this account's BKK (another account's, or tampered). */
export type SnapshotKeyUnreadable = Readonly<{ _tag: 'SnapshotKeyUnreadable' }>
/** No snapshot with this id (or id prefix), or a prefix that matches several. */
export type SnapshotNotFound = Readonly<{ _tag: 'SnapshotNotFound'; id: string; ambiguous: boolean }>
/** The snapshot id is taken by a different snapshot (a retry with other content). */
export type SnapshotExists = Readonly<{ _tag: 'SnapshotExists'; id: string }>
/** A pack id is taken by a pack with other bytes. */
export type PackExists = Readonly<{ _tag: 'PackExists'; packId: string }>
/** An object that does not authenticate, is not canonically framed, or whose plaintext has another id. */
export type ObjectCorrupt = Readonly<{
  _tag: 'ObjectCorrupt'
  id: string
  reason: 'format' | 'auth' | 'framing' | 'id-mismatch' | 'too-large'
}>
/** Authentic bytes that are not a canonical tree or snapshot metadata (a buggy writer holding the keys). */
export type InvalidEncoding = Readonly<{
  _tag: 'InvalidEncoding'
  what: 'tree' | 'metadata' | 'pack'
  reason: string
}>
/** Snapshot metadata that does not open under the metadata key (another account's, or tampered). */
export type MetadataUnreadable = Readonly<{ _tag: 'MetadataUnreadable'; snapshotId: string }>
/** A caller's argument that cannot work (two PATHs with one base name, a sub-path not in the snapshot). */
export type InvalidArgument = Readonly<{ _tag: 'InvalidArgument'; what: string }>
/** A local file-system operation failed. `path` is local and is shown only to the local user. */
export type FsFailure = Readonly<{ _tag: 'FsFailure'; op: string; code: string; path: string }>

export type SnapshotError =
  | StoreUnavailable
  | ObjectsMissing
  | QuotaExceeded
  | SnapshotKeyExists
  | SnapshotKeyUnreadable
  | SnapshotNotFound
  | SnapshotExists
  | PackExists
  | ObjectCorrupt
  | InvalidEncoding
  | MetadataUnreadable
  | InvalidArgument
  | FsFailure

export const storeUnavailable = (reason: string): StoreUnavailable => ({ _tag: 'StoreUnavailable', reason })
export const objectsMissing = (ids: ReadonlyArray<string>): ObjectsMissing => ({
  _tag: 'ObjectsMissing',
  ids,
})
export const quotaExceeded: QuotaExceeded = { _tag: 'QuotaExceeded' }
export const snapshotKeyExists: SnapshotKeyExists = { _tag: 'SnapshotKeyExists' }
export const snapshotKeyUnreadable: SnapshotKeyUnreadable = { _tag: 'SnapshotKeyUnreadable' }
export const snapshotNotFound = (id: string, ambiguous = false): SnapshotNotFound => ({
  _tag: 'SnapshotNotFound',
  id,
  ambiguous,
})
export const snapshotExists = (id: string): SnapshotExists => ({ _tag: 'SnapshotExists', id })
export const packExists = (packId: string): PackExists => ({ _tag: 'PackExists', packId })
export const objectCorrupt = (id: string, reason: ObjectCorrupt['reason']): ObjectCorrupt => ({
  _tag: 'ObjectCorrupt',
  id,
  reason,
})
export const invalidEncoding = (what: InvalidEncoding['what'], reason: string): InvalidEncoding => ({
  _tag: 'InvalidEncoding',
  what,
  reason,
})
export const metadataUnreadable = (snapshotId: string): MetadataUnreadable => ({
  _tag: 'MetadataUnreadable',
  snapshotId,
})
export const invalidArgument = (what: string): InvalidArgument => ({ _tag: 'InvalidArgument', what })
export const fsFailure = (op: string, path: string, cause: unknown): FsFailure => ({
  _tag: 'FsFailure',
  op,
  path,
  code: (cause as { code?: unknown } | null)?.code?.toString() ?? 'EUNKNOWN',
})

/**
 * Carries a SnapshotError through direct-style code (the archiver's and restorer's walks, async iterables).
 * The public entry points catch it and resolve to Left.
 */
export class SnapshotFailure extends Error {
  constructor(readonly error: SnapshotError) {
    super(`zkeb snapshot: ${error._tag}`)
    this.name = 'SnapshotFailure'
  }
}

/** Throws the error inside a SnapshotFailure. */
export const raise = (error: SnapshotError): never => {
  throw new SnapshotFailure(error)
}

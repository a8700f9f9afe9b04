/** Limits and lifetimes the use cases enforce; decoded from configuration at the edge (defaults in api-v1). */
export type Settings = Readonly<{
  /** New accounts' quota. */
  defaultQuotaBytes: number
  /** Largest body accepted by the one-shot upload route. */
  maxUploadBytes: number
  trashRetentionDays: number
  /** Unreferenced blobs younger than this are left alone: it must exceed the longest upload. */
  blobGarbageGraceSeconds: number
  /**
   * Snapshot objects no snapshot references are collected once their last claim (arrival, or a `has` that found
   * them) is older than this: it must exceed the longest backup run (protocol v1.1 §9: 48 h by default).
   */
  snapshotGarbageGraceSeconds: number
  /** Single-use OPAQUE login state lifetime (api-v1: 60 s). */
  loginStateTtlSeconds: number
  /** Single-use recovery token lifetime (api-v1: 10 min). */
  recoveryTokenTtlSeconds: number
  /** Lifetime of a session (refresh-token family) from login. */
  sessionTtlSeconds: number
  /**
   * How recent a session's OPAQUE login must be for the sensitive operations (password change, account
   * erasure, revoking another device, creating a restic token). Refreshes do not renew it.
   */
  freshLoginSeconds: number
  /**
   * Failed logins are unauthenticated writes to someone's audit trail: `login-failed` is recorded at most once
   * per account in this many seconds (the first failure of the window; later ones add no event).
   */
  failedLoginEventSeconds: number
  /** A resumable upload's lifetime from its creation (tus Upload-Expires); then it and its parts are collected. */
  uploadExpirySeconds: number
  /** A staged key rotation left without activity (begin or a page of keys) this long expires. */
  keyRotationTtlSeconds: number
}>

export const defaultSettings: Settings = {
  defaultQuotaBytes: 10 * 1024 ** 3,
  maxUploadBytes: 5 * 1024 ** 3,
  trashRetentionDays: 30,
  blobGarbageGraceSeconds: 24 * 60 * 60,
  snapshotGarbageGraceSeconds: 48 * 60 * 60,
  loginStateTtlSeconds: 60,
  recoveryTokenTtlSeconds: 600,
  sessionTtlSeconds: 30 * 24 * 60 * 60,
  freshLoginSeconds: 5 * 60,
  failedLoginEventSeconds: 15 * 60,
  uploadExpirySeconds: 24 * 60 * 60,
  keyRotationTtlSeconds: 24 * 60 * 60,
}

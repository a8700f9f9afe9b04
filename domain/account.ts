/**
 * Accounts: the OPAQUE registration record (never a password-equivalent), the wrapped key bundle and its
 * version, the recovery verifier and the quota.
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import { VersionMismatch, versionMismatch } from './errors'
import { AccountId, boundedBytes, Username } from './ids'

/** protocol-v1: wrapped UMKs are opaque to the server and at most 1 KiB each. */
export const WrappedUmk = boundedBytes('WrappedUmk', 1, 1024)
export type WrappedUmk = t.TypeOf<typeof WrappedUmk>

export const KeyBundle = t.strict({ passwordWrappedUmk: WrappedUmk, recoveryWrappedUmk: WrappedUmk })
export type KeyBundle = t.TypeOf<typeof KeyBundle>

/** SHA-256(HKDF(recoveryKey, "zkeb/v1/recovery-auth")): 32 bytes. */
export const RecoveryVerifier = boundedBytes('RecoveryVerifier', 32, 32)
export type RecoveryVerifier = t.TypeOf<typeof RecoveryVerifier>

/** The OPAQUE registration record (an envelope and the client's public key); bounded to refuse junk. */
export const OpaqueRecord = boundedBytes('OpaqueRecord', 32, 512)
export type OpaqueRecord = t.TypeOf<typeof OpaqueRecord>

export type Account = Readonly<{
  accountId: AccountId
  username: Username
  createdAt: Date
  opaqueRecord: OpaqueRecord
  keyBundle: KeyBundle
  keyBundleVersion: number
  recoveryVerifier: RecoveryVerifier
  quotaLimitBytes: number
  /** Set by an operator: a disabled account cannot log in, refresh a session or recover. */
  disabledAt: O.Option<Date>
}>

export const isDisabled = (account: Account): boolean => O.isSome(account.disabledAt)

/** Disabling twice keeps the first time. */
export const disableAccount = (account: Account, at: Date): Account =>
  isDisabled(account) ? account : { ...account, disabledAt: O.some(at) }

export const setQuotaLimit = (account: Account, limitBytes: number): Account => ({
  ...account,
  quotaLimitBytes: limitBytes,
})

/** Replaces the key bundle only if the caller saw the current version (optimistic concurrency). */
export const replaceKeyBundle = (
  account: Account,
  expectedVersion: number,
  keyBundle: KeyBundle,
): E.Either<VersionMismatch, Account> =>
  account.keyBundleVersion === expectedVersion
    ? E.right({ ...account, keyBundle, keyBundleVersion: account.keyBundleVersion + 1 })
    : E.left(versionMismatch(account.keyBundleVersion))

/** A password change or recovery: a new OPAQUE record and password-wrapped UMK; the recovery wrap stays. */
export const replacePassword = (
  account: Account,
  opaqueRecord: OpaqueRecord,
  passwordWrappedUmk: WrappedUmk,
): Account => ({
  ...account,
  opaqueRecord,
  keyBundle: { ...account.keyBundle, passwordWrappedUmk },
  keyBundleVersion: account.keyBundleVersion + 1,
})

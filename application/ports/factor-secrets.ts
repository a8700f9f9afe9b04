import type { AccountId } from '../../domain/ids'

/** A new TOTP secret: shown to the user once (base32 and as an otpauth:// URI), kept only sealed. */
export type NewTotp = Readonly<{ secretBase32: string; uri: string; sealed: Uint8Array }>

/**
 * The secrets of second factors: TOTP (RFC 6238) secrets sealed under a server key (AEAD, bound to the account,
 * so a sealed secret moved to another account's row does not open), and recovery codes and their keyed digests.
 * SECURITY: never logs a secret or a code; the server key never leaves the adapter.
 * Implementation: adapters/crypto/totp-factor-secrets.ts. Pure computation, so it returns plain values.
 */
export type FactorSecrets = {
  /** A new secret; `label` (the username) names it in the authenticator app. */
  readonly newTotp: (accountId: AccountId, label: string) => NewTotp
  /**
   * The time step `code` is valid for under the sealed secret, looking one step either side of `now` (clock
   * drift), or null: a wrong code, or a secret that does not open.
   */
  readonly totpStep: (accountId: AccountId, sealed: Uint8Array, code: string, now: Date) => number | null
  /** `count` new random recovery codes, as the user will type them. */
  readonly newRecoveryCodes: (count: number) => ReadonlyArray<string>
  /** The keyed digest (hex) a code is stored as; letter case, spaces and dashes do not matter. */
  readonly recoveryCodeDigest: (accountId: AccountId, code: string) => string
}

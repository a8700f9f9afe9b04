/**
 * Second factors: what a login must show besides the OPAQUE proof once an account enrolled one. They gate the
 * issuing of a session only; no key is derived from them, so zero knowledge is untouched (docs/security.md).
 * SECURITY: a TOTP secret is kept sealed under a server key, never in clear; recovery codes are kept as keyed
 * digests only. Neither is ever logged or sent back after enrolment.
 */
import * as t from 'io-ts'
import { AccountId, Uuid } from './ids'

export type FactorIdBrand = { readonly FactorId: unique symbol }
export const FactorId = t.brand(Uuid, (_s): _s is t.Branded<Uuid, FactorIdBrand> => true, 'FactorId')
export type FactorId = t.TypeOf<typeof FactorId>

export const FactorKind = t.keyof({ totp: null })
export type FactorKind = t.TypeOf<typeof FactorKind>

/**
 * An enrolled (or enrolling) factor. `confirmedAt` null: enrolment not yet proved by a valid code, so the
 * factor does not gate logins. `lastStep`: the last TOTP time step accepted, so a code is never taken twice.
 */
export type SecondFactor = Readonly<{
  accountId: AccountId
  factorId: FactorId
  kind: FactorKind
  sealedSecret: Uint8Array
  lastStep: number | null
  createdAt: Date
  confirmedAt: Date | null
}>

/** A one-time recovery code as stored: its keyed digest (hex) and when it was spent. */
export type RecoveryCode = Readonly<{ accountId: AccountId; digest: string; usedAt: Date | null }>

/** Six digits from the authenticator app. */
export const TotpCode = t.refinement(t.string, (s) => /^[0-9]{6}$/.test(s), 'TotpCode')
export type TotpCode = t.TypeOf<typeof TotpCode>

/** A recovery code as typed: groups of base32 letters, dashes and spaces ignored. */
export const RecoveryCodeInput = t.refinement(
  t.string,
  (s) => /^[A-Za-z2-7 -]{16,40}$/.test(s),
  'RecoveryCodeInput',
)
export type RecoveryCodeInput = t.TypeOf<typeof RecoveryCodeInput>

/** What a login offers as its second factor. */
export const FactorProof = t.union([
  t.strict({ kind: t.literal('totp'), code: TotpCode }),
  t.strict({ kind: t.literal('recovery-code'), code: RecoveryCodeInput }),
])
export type FactorProof = t.TypeOf<typeof FactorProof>

/** How many recovery codes an enrolment hands out. */
export const recoveryCodeCount = 10

/** Only confirmed factors gate a login. */
export const gatingFactors = (factors: ReadonlyArray<SecondFactor>): ReadonlyArray<SecondFactor> =>
  factors.filter((f) => f.confirmedAt !== null)

/** A step is accepted only after the last one accepted: a code seen once (phished, shoulder-surfed) is dead. */
export const isFreshStep = (factor: SecondFactor, step: number): boolean =>
  factor.lastStep === null || step > factor.lastStep

import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type Account, isDisabled, type WrappedUmk } from '../../domain/account'
import { decodeBase64Url } from '../../domain/base64url'
import { type InvalidRecoveryProof, invalidRecoveryProof } from '../../domain/errors'
import { Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { RecoveryProof } from '../shared/codecs'

export const StartRecoveryInput = t.strict({ username: Username, recoveryProof: RecoveryProof })
export type StartRecoveryInput = t.TypeOf<typeof StartRecoveryInput>

/**
 * What a caller who proved the recovery key receives: the single-use token, and the account's
 * recoveryWrappedUmk with its keyBundleVersion, so the client can open the UMK with the recovery key and
 * send the new passwordWrappedUmk in the same finish call (no login in between).
 * SECURITY: the wrapped UMK opens only under HKDF(recoveryKey, "zkeb/v1/recovery-kek"); the proof is another
 * HKDF output of the same key and does not open it.
 */
export type RecoveryStarted = Readonly<{
  recoveryToken: string
  recoveryWrappedUmk: WrappedUmk
  keyBundleVersion: number
}>

/**
 * Checks SHA-256(recoveryProof) against the stored verifier in constant time. An unknown username and a
 * wrong proof fail alike and reveal nothing. The token is single use and lives `recoveryTokenTtlSeconds`.
 */
export type StartRecovery = (
  input: StartRecoveryInput,
  ctx: RequestContext,
) => TE.TaskEither<InvalidRecoveryProof | Unavailable, RecoveryStarted>
export type StartRecoveryDeps = Pick<Ports, 'accounts' | 'loginStates' | 'hasher' | 'ids' | 'settings'>

const hexToBytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))

/** An unknown username is compared against a verifier no proof matches, so both paths do the same work. */
const noVerifier = new Uint8Array(32)

const proofMatches =
  (deps: StartRecoveryDeps, recoveryProof: string) =>
  (account: Account | null): boolean => {
    const digest = hexToBytes(deps.hasher.sha256Hex(decodeBase64Url(recoveryProof)))
    const expected = account === null ? noVerifier : decodeBase64Url(account.recoveryVerifier)
    return deps.hasher.timingSafeEqual(digest, expected)
  }

/** Issues the token for an account whose recovery key was proved, and hands back its recovery wrap. */
const issueToken = (
  deps: StartRecoveryDeps,
  account: Account,
): TE.TaskEither<Unavailable, RecoveryStarted> => {
  const recoveryToken = deps.ids.secret()
  return pipe(
    deps.loginStates.put(
      recoveryToken,
      { kind: 'recovery', accountId: account.accountId },
      deps.settings.recoveryTokenTtlSeconds,
    ),
    TE.as({
      recoveryToken,
      recoveryWrappedUmk: account.keyBundle.recoveryWrappedUmk,
      keyBundleVersion: account.keyBundleVersion,
    }),
  )
}

export const startRecovery =
  (deps: StartRecoveryDeps): StartRecovery =>
  (input) =>
    pipe(
      deps.accounts.findByUsername(input.username),
      // A disabled account answers exactly as an unknown one: the proof can only fail.
      TE.map(O.filter((account) => !isDisabled(account))),
      TE.map(O.toNullable),
      TE.flatMap((account): TE.TaskEither<InvalidRecoveryProof | Unavailable, RecoveryStarted> =>
        !proofMatches(deps, input.recoveryProof)(account) || account === null
          ? TE.left(invalidRecoveryProof)
          : issueToken(deps, account),
      ),
    )

import type * as TE from 'fp-ts/TaskEither'
import type { Unauthenticated } from '../../domain/errors'
import type { AccountId, SessionId } from '../../domain/ids'

export type AccessClaims = Readonly<{ accountId: AccountId; sessionId: SessionId }>

/**
 * Short-lived access tokens (signed, pinned algorithm, 15 minutes by default). Verification checks the
 * signature and expiry only; whether the session is still live is the SessionStore's answer.
 */
export type TokenIssuer = {
  readonly issue: (
    claims: AccessClaims,
  ) => TE.TaskEither<never, { readonly accessToken: string; readonly expiresIn: number }>
  readonly verify: (token: string) => TE.TaskEither<Unauthenticated, AccessClaims>
}

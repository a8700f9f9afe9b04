import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId, SessionId, Sha256Hex, Username } from '../../domain/ids'
import type { ResticGrant, ResticToken, ResticTokenId } from '../../domain/restic'
import type { Unavailable } from '../errors'

/**
 * restic access tokens, stored as SHA-256 digests of their secrets only.
 * Implementations: adapters/persistence/knex (row-level security per account), adapters/in-memory.
 * Contract: test/contracts/restic-token-repository.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type ResticTokenRepository = {
  readonly create: (token: ResticToken) => TE.TaskEither<Unavailable, void>
  /** The account's tokens, oldest first. */
  readonly list: (accountId: AccountId) => TE.TaskEither<Unavailable, ReadonlyArray<ResticToken>>
  /** Removes the token; `false` when the account has no such token. */
  readonly revoke: (accountId: AccountId, tokenId: ResticTokenId) => TE.TaskEither<Unavailable, boolean>
  /**
   * Removes every token of the account but those the session `keep` created (a password change keeps the
   * caller's own; a recovery keeps none). Answers how many were removed.
   */
  readonly revokeAccount: (accountId: AccountId, keep?: SessionId) => TE.TaskEither<Unavailable, number>
  /**
   * The grant of the token whose secret has digest `secretSha256`, if it belongs to `username` (any letter
   * case) and its device, if any, is not revoked. Runs before any account is known (basic auth); whether the
   * grant reaches the repository asked for is the caller's check (domain/restic.ts, grantReaches).
   */
  readonly findGrant: (
    username: Username,
    secretSha256: Sha256Hex,
  ) => TE.TaskEither<Unavailable, O.Option<ResticGrant>>
}

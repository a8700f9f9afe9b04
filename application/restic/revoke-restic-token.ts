import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type ResticTokenNotFound, resticTokenNotFound } from '../../domain/errors'
import { ResticTokenId } from '../../domain/restic'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { recordEvent } from '../shared/steps'

export const RevokeResticTokenInput = t.strict({ tokenId: ResticTokenId })
export type RevokeResticTokenInput = t.TypeOf<typeof RevokeResticTokenInput>
/** Deletes the token (it stops working at once) and records `restic-token-revoked`. */
export type RevokeResticToken = (
  input: RevokeResticTokenInput,
  caller: Caller,
) => TE.TaskEither<ResticTokenNotFound | Unavailable, void>
export type RevokeResticTokenDeps = Pick<Ports, 'resticTokens' | 'clock' | 'audit'>

export const revokeResticToken =
  (deps: RevokeResticTokenDeps): RevokeResticToken =>
  (input, caller) =>
    pipe(
      deps.resticTokens.revoke(caller.accountId, input.tokenId),
      TE.filterOrElseW(
        (revoked) => revoked,
        () => resticTokenNotFound,
      ),
      TE.flatMap(() => recordEvent(deps)(caller.accountId, 'restic-token-revoked', caller, caller.deviceId)),
    )

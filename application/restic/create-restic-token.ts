import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { FreshLoginRequired } from '../../domain/errors'
import { ResticRepoName, type ResticToken, type ResticTokenId } from '../../domain/restic'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { ensureFreshLogin, recordEvent, utf8 } from '../shared/steps'

/** `repo` scopes the token to that one repository (a name restic reserves does not decode); absent: all. */
export const CreateResticTokenInput = t.exact(
  t.intersection([t.type({ appendOnly: t.boolean }), t.partial({ repo: ResticRepoName })]),
)
export type CreateResticTokenInput = t.TypeOf<typeof CreateResticTokenInput>
/** `secret` is shown once: only its SHA-256 is stored. */
export type CreatedResticToken = Readonly<{ token: ResticToken; secret: string }>
/**
 * Creates a restic access token for the caller's device and session (a password change keeps the tokens of
 * the session that makes it, and no other) and records `restic-token-created`. Needs a fresh login: a token is a
 * lasting credential of its own (FreshLoginRequired).
 */
export type CreateResticToken = (
  input: CreateResticTokenInput,
  caller: Caller,
) => TE.TaskEither<FreshLoginRequired | Unavailable, CreatedResticToken>
export type CreateResticTokenDeps = Pick<
  Ports,
  'resticTokens' | 'ids' | 'hasher' | 'clock' | 'audit' | 'settings'
>

export const createResticToken =
  (deps: CreateResticTokenDeps): CreateResticToken =>
  (input, caller) =>
    pipe(
      ensureFreshLogin(deps)(caller),
      TE.flatMap(() =>
        TE.fromIO(() => {
          const secret = deps.ids.secret()
          const token: ResticToken = {
            tokenId: deps.ids.uuid() as ResticTokenId,
            accountId: caller.accountId,
            deviceId: caller.deviceId,
            sessionId: caller.sessionId,
            appendOnly: input.appendOnly,
            repo: input.repo ?? null,
            secretSha256: deps.hasher.sha256Hex(utf8(secret)),
            createdAt: deps.clock.now(),
          }
          return { token, secret }
        }),
      ),
      TE.tap(({ token }) => deps.resticTokens.create(token)),
      TE.tap(() => recordEvent(deps)(caller.accountId, 'restic-token-created', caller, caller.deviceId)),
    )

import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { ResticToken, ResticTokenId } from '../../domain/restic'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { recordEvent, utf8 } from '../shared/steps'

export const CreateResticTokenInput = t.strict({ appendOnly: t.boolean })
export type CreateResticTokenInput = t.TypeOf<typeof CreateResticTokenInput>
/** `secret` is shown once: only its SHA-256 is stored. */
export type CreatedResticToken = Readonly<{ token: ResticToken; secret: string }>
/** Creates a restic access token for the caller's device and records `restic-token-created`. */
export type CreateResticToken = (
  input: CreateResticTokenInput,
  caller: Caller,
) => TE.TaskEither<Unavailable, CreatedResticToken>
export type CreateResticTokenDeps = Pick<Ports, 'resticTokens' | 'ids' | 'hasher' | 'clock' | 'audit'>

export const createResticToken =
  (deps: CreateResticTokenDeps): CreateResticToken =>
  (input, caller) =>
    pipe(
      TE.fromIO(() => {
        const secret = deps.ids.secret()
        const token: ResticToken = {
          tokenId: deps.ids.uuid() as ResticTokenId,
          accountId: caller.accountId,
          deviceId: caller.deviceId,
          appendOnly: input.appendOnly,
          secretSha256: deps.hasher.sha256Hex(utf8(secret)),
          createdAt: deps.clock.now(),
        }
        return { token, secret }
      }),
      TE.tap(({ token }) => deps.resticTokens.create(token)),
      TE.tap(() => recordEvent(deps)(caller.accountId, 'restic-token-created', caller, caller.deviceId)),
    )

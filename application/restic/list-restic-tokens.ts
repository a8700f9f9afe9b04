import type * as TE from 'fp-ts/TaskEither'
import type { ResticToken } from '../../domain/restic'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** The account's restic tokens, oldest first (digests stay on the server: the edge shows none). */
export type ListResticTokens = (caller: Caller) => TE.TaskEither<Unavailable, ReadonlyArray<ResticToken>>
export type ListResticTokensDeps = Pick<Ports, 'resticTokens'>

export const listResticTokens =
  (deps: ListResticTokensDeps): ListResticTokens =>
  (caller) =>
    deps.resticTokens.list(caller.accountId)

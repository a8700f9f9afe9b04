/**
 * Knows what every command needs: its parsed arguments, secrets from the environment or a no-echo prompt, the
 * SDK options and the local state. The session a command runs in is kept-session.ts (`withSession`).
 */
import * as E from 'fp-ts/Either'
import { decodeBase64Url, isBase64Url } from '../../domain/base64url'
import type { KeyStretching } from '../crypto'
import { ZkebError, type ClientOptions, type FetchLike, type RetryPolicy, type SdkError } from '../sdk'
import type { Parsed } from './args'
import { cliError, ExitCode } from './exit-codes'
import type { CliIo } from './io'
import { readState, statePath, type AnyCliState } from './state'

/** What tests (and embedders) may change; the bin uses the defaults. */
export type CliOptions = Readonly<{
  keyStretching?: KeyStretching
  fetch?: FetchLike
  retry?: Partial<RetryPolicy>
  /** The local time in ms since the epoch (for the kept access token's expiry); defaults to Date.now. */
  now?: () => number
}>

export type Ctx = Readonly<{ io: CliIo; args: Parsed; json: boolean; options: CliOptions }>

/** What a command prints: `text` for people, `json` with --json. */
export type Output = Readonly<{ text: string; json: unknown }>

/** The Right of an SDK result; a Left is thrown for main to report. */
export const sdk = <A>(result: E.Either<SdkError, A>): A => {
  if (E.isLeft(result)) throw new ZkebError(result.left)
  return result.right
}

/** What a prompt asks for; the prompt is `What: `, its confirmation `Repeat the what: `. */
export type SecretName = 'password' | 'new password' | 'recovery key' | 'authentication code'

/**
 * A secret from `envName`, else typed without echo (twice when `confirm`). Exit 2 when there is neither a
 * terminal nor the variable, when the input ends at the prompt (Ctrl-D), when nothing is typed, or when the two
 * entries differ.
 */
export const secret = async (
  ctx: Ctx,
  envName: string,
  what: SecretName,
  confirm = false,
): Promise<string> => {
  const fromEnv = ctx.io.env[envName]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  const ask = async (prompt: string): Promise<string> => {
    const typed = await ctx.io.readSecret(prompt)
    if (typed === undefined)
      return cliError(ExitCode.usage, `no ${what}: set ${envName} or run in a terminal`)
    if (typed === null) return cliError(ExitCode.usage, `no ${what}: the input ended (Ctrl-D) at the prompt`)
    if (typed === '') return cliError(ExitCode.usage, `no ${what} typed`)
    return typed
  }
  const typed = await ask(`${what[0]!.toUpperCase()}${what.slice(1)}: `)
  if (confirm && (await ask(`Repeat the ${what}: `)) !== typed)
    return cliError(ExitCode.usage, 'the two entries differ')
  return typed
}

export const nowOf = (ctx: Ctx): number => (ctx.options.now ?? Date.now)()

export const clientOptions = (ctx: Ctx, server: string): ClientOptions => ({
  baseUrl: server,
  ...(ctx.options.keyStretching === undefined ? {} : { keyStretching: ctx.options.keyStretching }),
  ...(ctx.options.fetch === undefined ? {} : { fetch: ctx.options.fetch }),
  ...(ctx.options.retry === undefined ? {} : { retry: ctx.options.retry }),
})

export const requireState = async (ctx: Ctx): Promise<AnyCliState> =>
  (await readState(ctx.io.env)) ??
  cliError(ExitCode.notLoggedIn, 'not logged in: run `zkeb login USERNAME --server URL` or `zkeb register`')

export const wrappedDeviceKeyOf = (ctx: Ctx, state: AnyCliState): Uint8Array =>
  isBase64Url(state.wrappedDeviceKey)
    ? decodeBase64Url(state.wrappedDeviceKey)
    : cliError(
        ExitCode.localState,
        `local state ${statePath(ctx.io.env)} is corrupted; remove it and run \`zkeb login\``,
      )

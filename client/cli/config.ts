/**
 * Knows which server a command talks to, and `config.json`: the user's settings beside state.json (nothing
 * secret in it; today only the default server). `zkeb register`, `login` and `recover` keep the server they
 * succeeded with there, so later commands need neither --server nor ZKEB_SERVER, and it outlives a removed
 * state.json. The server is, in order: --server, ZKEB_SERVER, config.json, the server of the local state
 * (states written before config.json existed), http://localhost:3000 (what `npm start` serves).
 * A command that runs in the kept session talks only to the server that session belongs to: its tokens are
 * never sent to another one.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import type { Ctx } from './context'
import { cliError, ExitCode } from './exit-codes'
import { configDir, writeFileAtomically, type AnyCliState } from './state'

type Env = Readonly<Record<string, string | undefined>>

export const CliConfig = t.exact(t.partial({ server: t.string }))
export type CliConfig = t.TypeOf<typeof CliConfig>

export const defaultServer = 'http://localhost:3000'

export const configPath = (env: Env): string => join(configDir(env), 'config.json')

/** The settings; {} when there is no config.json; exit 10 naming it when it does not parse. */
export const readConfig = async (env: Env): Promise<CliConfig> => {
  const path = configPath(env)
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) =>
    e.code === 'ENOENT' ? '{}' : cliError(ExitCode.localState, `cannot read ${path}`),
  )
  const parsed = E.tryCatch(
    () => JSON.parse(text) as unknown,
    () => undefined,
  )
  const config = E.isRight(parsed) ? CliConfig.decode(parsed.right) : undefined
  return config !== undefined && E.isRight(config)
    ? config.right
    : cliError(ExitCode.localState, `${path} is not a valid config file; fix or remove it`)
}

/**
 * Keeps `server` as the default in config.json (atomically, 0600), leaving the other settings as they are.
 * Never fails the command that succeeded (register has a recovery key to print): a failure is a warning.
 */
export const keepServer = async (ctx: Ctx, server: string): Promise<void> => {
  const env = ctx.io.env
  const dir = configDir(env)
  try {
    const config = await readConfig(env)
    if (config.server === server) return
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await writeFileAtomically(configPath(env), dir, JSON.stringify({ ...config, server }, null, 2) + '\n')
  } catch {
    ctx.io.stderr.write(`zkeb: warning: could not keep the server in ${configPath(env)}\n`)
  }
}

/** Where the server came from, for `zkeb whoami`. */
export type ServerSource = 'flag' | 'env' | 'config' | 'state' | 'default'
export type ServerChoice = Readonly<{ url: string; source: ServerSource }>

export const sourceText: Readonly<Record<ServerSource, string>> = {
  flag: '--server',
  env: 'ZKEB_SERVER',
  config: 'config.json',
  state: 'the local state',
  default: 'the built-in default',
}

const checked = (choice: ServerChoice): ServerChoice =>
  /^https?:\/\/[^\s]+$/.test(choice.url)
    ? choice
    : cliError(ExitCode.usage, `the server (from ${sourceText[choice.source]}) must be an http(s) URL`)

/** The server by precedence: --server, ZKEB_SERVER, config.json, `state`'s, the built-in default. */
export const chooseServer = async (ctx: Ctx, state?: AnyCliState): Promise<ServerChoice> => {
  const flag = ctx.args.values.server
  const env = ctx.io.env.ZKEB_SERVER
  if (flag !== undefined) return checked({ url: flag, source: 'flag' })
  if (env !== undefined && env !== '') return checked({ url: env, source: 'env' })
  const kept = (await readConfig(ctx.io.env)).server
  if (kept !== undefined) return checked({ url: kept, source: 'config' })
  if (state !== undefined) return checked({ url: state.server, source: 'state' })
  return { url: defaultServer, source: 'default' }
}

/** The server of the kept session in `state`; exit 3 when the chosen server is another one. */
export const sessionServer = async (ctx: Ctx, state: AnyCliState): Promise<ServerChoice> => {
  const chosen = await chooseServer(ctx, state)
  if (chosen.url === state.server) return chosen
  return cliError(
    ExitCode.notLoggedIn,
    `not logged in on ${chosen.url} (from ${sourceText[chosen.source]}): this machine is logged in on ` +
      `${state.server}; run \`zkeb login USERNAME --server ${chosen.url}\` to switch`,
  )
}

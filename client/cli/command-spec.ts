/**
 * What a command contributes to the registry (registry/): its name, its usage lines, its arguments, options and
 * environment, and how to load it. The parser accepts exactly the options a command declares (plus the global
 * ones), and `zkeb COMMAND --help` prints exactly what it declares, so the two cannot drift apart. A spec
 * costs nothing to load: the command itself (and the SDK and crypto behind it) is loaded only when it runs.
 */
import type { Ctx, Output } from './context'
import type { OptionSpec } from './option-spec'

export type Command = (ctx: Ctx) => Promise<Output>

export type { OptionSpec }

/** The environment variables the CLI reads; each command lists the ones it uses. */
export const environment = {
  ZKEB_PASSWORD: 'the password (for register: the new one), instead of typing it at the prompt',
  ZKEB_NEW_PASSWORD: 'the new password, instead of typing it twice at the prompt',
  ZKEB_RECOVERY_KEY: 'the recovery key, instead of typing it at the prompt',
  ZKEB_TOTP:
    'the authenticator app’s current code, when the account has a second factor (also the code that confirms `2fa enrol`)',
  ZKEB_RECOVERY_CODE: 'a one-time recovery code, used instead of ZKEB_TOTP when the authenticator is lost',
  ZKEB_SERVER: 'the server when --server is not given (it wins over the one kept in config.json)',
  ZKEB_CONFIG_DIR:
    'the config folder, for state.json and config.json (default $XDG_CONFIG_HOME/zkeb or ~/.config/zkeb)',
  ZKEB_RESUMABLE_THRESHOLD: 'files at least this many bytes are pushed resumably (default 64 MiB)',
  ZKEB_RESUMABLE_PART_BYTES: 'bytes per request of a resumable push (default 16 MiB)',
} as const
export type EnvName = keyof typeof environment

export type CommandSpec = Readonly<{
  name: string
  /** One line for the overview of `zkeb --help`. */
  summary: string
  /** The forms of the command line after `zkeb `, the first starting with the name. */
  usage: ReadonlyArray<string>
  /** What the command does, in a few sentences. */
  description: string
  arguments?: ReadonlyArray<readonly [name: string, description: string]>
  options?: ReadonlyArray<OptionSpec>
  /** What it reads besides ZKEB_SERVER and ZKEB_CONFIG_DIR (which every command reads). */
  env?: ReadonlyArray<EnvName>
  /** Loads the command (its module is required only now). */
  load: () => Command
}>

/** Options every command takes. */
export const globalOptions: ReadonlyArray<OptionSpec> = [
  {
    name: 'server',
    long: '--server',
    value: 'URL',
    description:
      'the server (else ZKEB_SERVER, else the one kept by register/login, else http://localhost:3000)',
  },
  { name: 'json', long: '--json', description: 'print the result (or the error) as JSON on stdout' },
  { name: 'help', long: '--help', short: '-h', description: 'show this help' },
]

/** Environment variables every command reads. */
export const globalEnv: ReadonlyArray<EnvName> = ['ZKEB_SERVER', 'ZKEB_CONFIG_DIR']

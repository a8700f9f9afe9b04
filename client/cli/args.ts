/**
 * A small argument parser (no dependency): `--flag`, `--flag value`, `--flag=value`, `-o value`, and
 * positionals; `--` ends the flags. It accepts exactly the options it is given (a command's and the global
 * ones, command-spec.ts): anything else is a usage error.
 */
import type { OptionSpec } from './option-spec'
import { cliError, ExitCode } from './exit-codes'

export type Parsed = Readonly<{
  positionals: ReadonlyArray<string>
  values: Readonly<Record<string, string>>
  booleans: ReadonlySet<string>
  /** Every value of a repeatable option, in order. */
  lists: Readonly<Record<string, ReadonlyArray<string>>>
}>

const byFlag = (options: ReadonlyArray<OptionSpec>): Map<string, OptionSpec> =>
  new Map(
    options.flatMap((o) => [[o.long, o] as const, ...(o.short === undefined ? [] : [[o.short, o] as const])]),
  )

const split = (arg: string): [string, string | undefined] =>
  arg.startsWith('--') && arg.includes('=')
    ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
    : [arg, undefined]

export const parseArgs = (argv: ReadonlyArray<string>, options: ReadonlyArray<OptionSpec>): Parsed => {
  const known = byFlag(options)
  const positionals: string[] = []
  const values: Record<string, string> = {}
  const booleans = new Set<string>()
  const lists: Record<string, string[]> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    const [flag, inline] = split(arg)
    const option = known.get(flag)
    if (option?.value !== undefined) {
      const value = inline ?? argv[++i]
      if (value === undefined || value === '') return cliError(ExitCode.usage, `${flag} needs a value`)
      values[option.name] = value
      if (option.repeatable === true) (lists[option.name] ??= []).push(value)
    } else if (option !== undefined && inline === undefined) booleans.add(option.name)
    else if (arg.startsWith('-') && arg !== '-') return cliError(ExitCode.usage, `unknown option ${flag}`)
    else positionals.push(arg)
  }
  return { positionals, values, booleans, lists }
}

/**
 * The first positional (the command's name), skipping flags and the values of any option in `options`;
 * undefined when there is none. Lenient: unknown flags are left for the command's own parse to refuse.
 */
export const firstPositional = (
  argv: ReadonlyArray<string>,
  options: ReadonlyArray<OptionSpec>,
): string | undefined => {
  const known = byFlag(options)
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return argv[i + 1]
    const [flag, inline] = split(arg)
    if (known.get(flag)?.value !== undefined && inline === undefined) i++
    else if (!arg.startsWith('-') || arg === '-') return arg
  }
  return undefined
}

/** Whether `--help` or `-h` comes before any `--`. */
export const asksForHelp = (argv: ReadonlyArray<string>): boolean => {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')
}

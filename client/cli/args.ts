/**
 * A small argument parser (no dependency): `--flag`, `--flag value`, `--flag=value`, `-o value`, and
 * positionals; `--` ends the flags. Each flag is declared as boolean or taking a value.
 */
import { cliError, ExitCode } from './exit-codes'

export type Parsed = Readonly<{
  positionals: ReadonlyArray<string>
  values: Readonly<Record<string, string>>
  booleans: ReadonlySet<string>
}>

const valueFlags = new Map([
  ['--server', 'server'],
  ['--output', 'output'],
  ['-o', 'output'],
  ['--name', 'name'],
  ['--repo', 'repo'],
])
const booleanFlags = new Map([
  ['--json', 'json'],
  ['--help', 'help'],
  ['-h', 'help'],
  ['--trash', 'trash'],
  ['--version', 'version'],
  ['--append-only', 'append-only'],
])

export const parseArgs = (argv: ReadonlyArray<string>): Parsed => {
  const positionals: string[] = []
  const values: Record<string, string> = {}
  const booleans = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined]
    const valueName = valueFlags.get(flag)
    const booleanName = booleanFlags.get(flag)
    if (valueName !== undefined) {
      const value = inline ?? argv[++i]
      if (value === undefined || value === '') return cliError(ExitCode.usage, `${flag} needs a value`)
      values[valueName] = value
    } else if (booleanName !== undefined && inline === undefined) booleans.add(booleanName)
    else if (arg.startsWith('-') && arg !== '-') return cliError(ExitCode.usage, `unknown option ${flag}`)
    else positionals.push(arg)
  }
  return { positionals, values, booleans }
}

/**
 * `zkeb`, the ZKEB command-line client. `main(argv, io, options)` runs one command and resolves to its exit
 * code; it never calls process.exit, so tests drive it in-process with fake streams. The commands, their
 * options and their help come from the registry (registry/); only the command that runs is loaded. Failures
 * print one line on stderr (`zkeb: …`), and with --json also `{"error": {…}}` on stdout.
 */
import { describeError, isZkebError } from '../sdk/errors'
import { version } from '../../package.json'
import { asksForHelp, firstPositional, parseArgs } from './args'
import { globalOptions, type CommandSpec, type OptionSpec } from './command-spec'
import type { CliOptions } from './context'
import { CliError, cliError, ExitCode, exitCodeOf } from './exit-codes'
import { commandHelp, overview } from './help'
import { processIo, type CliIo } from './io'
import { commandNamed, commands } from './registry'

const versionOption: OptionSpec = { name: 'version', long: '--version', description: 'print the version' }

/** Every option any command takes: enough to find the command's name in front of them. */
const anyOption = [...globalOptions, ...commands.flatMap((c) => c.options ?? [])]

const commandOrFail = (name: string): CommandSpec =>
  commandNamed(name) ?? cliError(ExitCode.usage, `unknown command ${name}; see zkeb --help`)

/** `zkeb` (the overview, exit 2), `zkeb --help`, `zkeb --version`, `zkeb help [COMMAND]`. */
const topLevel = (io: CliIo, argv: ReadonlyArray<string>): ExitCode => {
  const args = parseArgs(argv, [...globalOptions, versionOption])
  const [name, topic] = args.positionals
  if (args.booleans.has('version')) io.stdout.write(`zkeb ${version}\n`)
  else if (topic !== undefined) io.stdout.write(commandHelp(commandOrFail(topic)))
  else io.stdout.write(overview())
  return name === undefined && !args.booleans.has('help') && !args.booleans.has('version')
    ? ExitCode.usage
    : ExitCode.ok
}

const failureOf = (e: unknown): { exitCode: ExitCode; message: string } => {
  if (e instanceof CliError) return { exitCode: e.exitCode, message: e.message }
  if (isZkebError(e)) return { exitCode: exitCodeOf(e.error), message: describeError(e.error) }
  return {
    exitCode: ExitCode.unexpected,
    message: `unexpected error (${e instanceof Error ? e.name : 'unknown'})`,
  }
}

const report = (io: CliIo, json: boolean, e: unknown): ExitCode => {
  const { exitCode, message } = failureOf(e)
  io.stderr.write(`zkeb: ${message.replace(/\s+/g, ' ')}\n`)
  if (json) io.stdout.write(JSON.stringify({ error: { exitCode, message } }) + '\n')
  return exitCode
}

/** Runs one command line; resolves to the exit code. */
export const main = async (
  argv: ReadonlyArray<string>,
  io: CliIo = processIo(),
  options: CliOptions = {},
): Promise<ExitCode> => {
  const json = argv.includes('--json')
  try {
    const name = firstPositional(argv, anyOption)
    if (name === undefined || name === 'help') return topLevel(io, argv)
    const spec = commandOrFail(name)
    if (asksForHelp(argv)) {
      io.stdout.write(commandHelp(spec))
      return ExitCode.ok
    }
    const args = parseArgs(argv, [...(spec.options ?? []), ...globalOptions])
    const output = await spec.load()({ io, args, json, options })
    io.stdout.write(json ? JSON.stringify(output.json) + '\n' : output.text)
    return ExitCode.ok
  } catch (e) {
    return report(io, json, e)
  }
}

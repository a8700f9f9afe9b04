/**
 * Prints help from the registry alone: `zkeb --help` (the overview: every command's usage and summary, the
 * global options, the environment, the exit codes) and `zkeb COMMAND --help` (its usage, description,
 * arguments, options and environment).
 */
import { environment, globalEnv, globalOptions, type CommandSpec, type OptionSpec } from './command-spec'
import { sections } from './registry'

const width = 100

/** `text` in lines of at most `width` characters, each starting with `indent`. */
const wrap = (text: string, indent = ''): string => {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(indent + line)
  return lines.join('\n') + '\n'
}

type Rows = ReadonlyArray<readonly [string, string]>

/** Where descriptions start: after the longest term, unless that is too long (it then gets its own line). */
const columnFor = (rows: Rows): number => Math.min(Math.max(...rows.map(([term]) => term.length)) + 4, 38)

/** Two columns: the terms, and the descriptions wrapped beside them from `column` on. */
const table = (rows: Rows, column = columnFor(rows)): string =>
  rows
    .map(([term, text]) => {
      if (text === '') return `  ${term}\n`
      const wrapped = wrap(text, ' '.repeat(column))
      return term.length + 4 <= column
        ? `  ${term.padEnd(column - 2)}${wrapped.slice(column)}`
        : `  ${term}\n${wrapped}`
    })
    .join('')

const optionTerm = (o: OptionSpec): string =>
  [o.short, o.long].filter((f) => f !== undefined).join(', ') + (o.value === undefined ? '' : ` ${o.value}`)

const exitCodes =
  'Exit codes: 0 ok, 1 unexpected, 2 usage (or an ambiguous snapshot id prefix), 3 not logged in, 4 wrong password/recovery key or not allowed, ' +
  '5 not found, 6 conflict, 7 over quota, 8 integrity (corrupt download or object, bad upload signature, broken ' +
  'audit chain, check found problems), 9 server unavailable or invalid answer, 10 local state corrupted, 11 local file error.'

const usageRows = (c: CommandSpec): Rows => c.usage.map((u, i) => [u, i === 0 ? c.summary : ''] as const)

export const overview = (): string => {
  const column = columnFor(sections.flatMap((s) => s.commands.flatMap(usageRows)))
  return (
    'Usage: zkeb COMMAND [ARGS] [--server URL] [--json]\n' +
    sections.map((s) => `\n${s.title}:\n` + table(s.commands.flatMap(usageRows), column)).join('') +
    '\nOptions for every command:\n' +
    table(globalOptions.map((o) => [optionTerm(o), o.description])) +
    '\n' +
    wrap(
      'Every command that talks to the account unlocks the kept session with the password: typed without ' +
        'echo, or ZKEB_PASSWORD. `zkeb help COMMAND` or `zkeb COMMAND --help` shows one command.',
    ) +
    '\nEnvironment:\n' +
    table(Object.entries(environment)) +
    '\n' +
    wrap(exitCodes)
  )
}

export const commandHelp = (c: CommandSpec): string => {
  const options = [...(c.options ?? []), ...globalOptions]
  const env = [...(c.env ?? []), ...globalEnv]
  return (
    c.usage.map((u, i) => `${i === 0 ? 'Usage:' : '      '} zkeb ${u} [OPTIONS]\n`).join('') +
    '\n' +
    wrap(c.description) +
    (c.arguments === undefined ? '' : '\nArguments:\n' + table(c.arguments)) +
    '\nOptions:\n' +
    table(options.map((o) => [optionTerm(o), o.description])) +
    '\nEnvironment:\n' +
    table(env.map((name) => [name, environment[name]])) +
    '\nExit codes: see `zkeb --help`.\n'
  )
}

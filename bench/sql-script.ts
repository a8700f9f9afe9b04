/**
 * The pgbench scripts in bench/sql/ and the check that keeps them honest: the statements of a script (pgbench
 * meta-commands, comments and lines marked `-- bench-only` left out) must be, in order, the statements the
 * server sent for the same request, once parameters and literals are both reduced to `?`. A server change that
 * adds, drops or reorders a statement fails the bench run (and test/bench) instead of drifting silently.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const sqlDir = join(__dirname, 'sql')

export const readScript = (name: string): string => readFileSync(join(sqlDir, `${name}.sql`), 'utf8')

/** The SQL statements of a pgbench script, in order. */
export const scriptStatements = (script: string): ReadonlyArray<string> => {
  const statements: Array<string> = []
  let skipNext = false
  for (const raw of script.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (line.startsWith('--')) {
      if (/^--\s*bench-only\b/.test(line)) skipNext = true
      continue
    }
    if (line.startsWith('\\')) continue
    if (skipNext) {
      skipNext = false
      continue
    }
    statements.push(line.replace(/\s*\\gset(\s+\w+)?\s*$/, ''))
  }
  return statements
}

/**
 * One statement's shape: lower case, single spaces, no trailing semicolons, and every bind parameter ($1),
 * pgbench variable (:name), number, quoted string, true/false/null written as `?`.
 */
export const statementShape = (sql: string): string =>
  sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/(?<![:\w]):[a-z_][a-z0-9_]*/gi, '?')
    .replace(/\b(?:true|false|null)\b/gi, '?')
    .replace(/(?<![\w."])\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .replace(/\s*;+\s*$/, '')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .trim()
    .toLowerCase()

export type Drift = Readonly<{ index: number; script: string | undefined; server: string | undefined }>

/** The first place where script and server differ, or undefined when they send the same statements. */
export const firstDrift = (
  script: ReadonlyArray<string>,
  server: ReadonlyArray<string>,
): Drift | undefined => {
  const n = Math.max(script.length, server.length)
  for (let i = 0; i < n; i++) {
    const a = script[i] === undefined ? undefined : statementShape(script[i]!)
    const b = server[i] === undefined ? undefined : statementShape(server[i]!)
    if (a !== b) return { index: i, script: a, server: b }
  }
  return undefined
}

export const describeDrift = (name: string, d: Drift): string =>
  `bench/sql/${name}.sql no longer matches the server at statement ${d.index + 1}:\n` +
  `  script: ${d.script ?? '(none)'}\n  server: ${d.server ?? '(none)'}`

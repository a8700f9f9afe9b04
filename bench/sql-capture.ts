/**
 * Captures the SQL one request makes: log_statement=all is switched on (ALTER SYSTEM + reload) only around that
 * request, and the statements the application role sent are read back from the server log. The result feeds the
 * drift check against bench/sql/*.sql (sql-script.ts), so a pgbench ceiling always runs what the server runs.
 */
import { readFileSync, statSync } from 'node:fs'
import type { Postgres } from './services'

/** One logged statement: its text with $n placeholders, as node-postgres sent it. */
export type LoggedStatement = Readonly<{ user: string; sql: string }>

const entryStart = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+ \[\d+\] (\S*)@\S* (\w+):\s+(.*)$/

/** Parses the statements out of a PostgreSQL log written with log_line_prefix '%m [%p] %u@%d '. */
export const parseStatementLog = (log: string): ReadonlyArray<LoggedStatement> => {
  const entries: Array<{ user: string; level: string; text: string }> = []
  for (const line of log.split('\n')) {
    const m = entryStart.exec(line)
    if (m !== null) entries.push({ user: m[1] ?? '', level: m[2] ?? '', text: m[3] ?? '' })
    else if (entries.length > 0 && line.startsWith('\t'))
      entries[entries.length - 1]!.text += '\n' + line.slice(1)
  }
  const statement = /^(?:statement|execute [^:]*):\s*([\s\S]*)$/
  return entries.flatMap((e) => {
    const m = e.level === 'LOG' ? statement.exec(e.text) : null
    return m === null ? [] : [{ user: e.user, sql: (m[1] ?? '').trim() }]
  })
}

/** Runs `request` with statement logging on and returns the statements `user` sent meanwhile. */
export const captureStatements = async (
  pg: Postgres,
  user: string,
  request: () => Promise<void>,
): Promise<ReadonlyArray<string>> => {
  pg.psql("alter system set log_statement = 'all'; select pg_reload_conf();")
  await new Promise((resolve) => setTimeout(resolve, 300))
  const from = statSync(pg.logFile).size
  try {
    await request()
    await new Promise((resolve) => setTimeout(resolve, 300))
  } finally {
    pg.psql('alter system reset log_statement; select pg_reload_conf();')
  }
  const log = readFileSync(pg.logFile).subarray(from).toString('utf8')
  return parseStatementLog(log)
    .filter((s) => s.user === user)
    .map((s) => s.sql)
}

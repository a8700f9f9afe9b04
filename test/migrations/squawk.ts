/**
 * Runs squawk (npm `squawk-cli`, a PostgreSQL migration linter shipped as a native binary) over SQL files,
 * with the repository's .squawk.toml, and returns its findings. A deprecation rule of our own sits on top:
 * a `-- squawk-ignore` for a destructive rule must name the earlier migration that deprecated the object.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

export type Finding = Readonly<{ file: string; rule: string; line: number; message: string }>

const root = path.join(__dirname, '../..')
const squawkBin = path.join(root, 'node_modules/.bin/squawk')

const squawkFiles = async (files: ReadonlyArray<string>): Promise<ReadonlyArray<Finding>> => {
  const run = promisify(execFile)
  const output = await run(squawkBin, ['--reporter', 'json', ...files], { cwd: root }).then(
    (r) => r.stdout,
    (e: { code?: number; stdout?: string }) => {
      if (e.code === 1 && e.stdout !== undefined) return e.stdout // findings
      throw new Error('squawk did not run (is squawk-cli installed? npm ci)', { cause: e })
    },
  )
  const findings = JSON.parse(output || '[]') as Array<{
    file: string
    rule_name: string
    line: number
    message: string
  }>
  return findings.map((f) => ({
    file: path.basename(f.file, '.sql'),
    rule: f.rule_name,
    line: f.line + 1,
    message: f.message,
  }))
}

const destructive = [
  'ban-drop-column',
  'ban-drop-table',
  'renaming-column',
  'renaming-table',
  'changing-column-type',
]

/** An ignore of a destructive rule is allowed only right after `-- deprecated since <earlier migration>`. */
const deprecationFindings = (sources: ReadonlyArray<{ name: string; sql: string }>): ReadonlyArray<Finding> =>
  sources.flatMap(({ name, sql }, index) => {
    const lines = sql.split('\n')
    return lines.flatMap((text, i) => {
      const ignore = /--\s*squawk-ignore\s+(.*)$/.exec(text)
      if (ignore === null) return []
      const rules = (ignore[1] ?? '').split(/[\s,]+/).filter((r) => destructive.includes(r))
      const since = /--\s*deprecated since\s+(\S+)/.exec(lines[i - 1] ?? '')?.[1]
      const earlier = sources.slice(0, index).some((s) => s.name === since)
      return rules.length > 0 && !earlier
        ? [
            {
              file: name,
              rule: 'deprecation-phase-required',
              line: i + 1,
              message: `${rules.join(', ')} needs "-- deprecated since <an earlier migration>" on the line before`,
            },
          ]
        : []
    })
  })

/** Lints each named SQL text (in order: the deprecation rule looks backwards). */
export const lintSql = async (
  sources: ReadonlyArray<{ name: string; sql: string }>,
): Promise<ReadonlyArray<Finding>> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'zkeb-squawk-'))
  try {
    const files = await Promise.all(
      sources.map(async ({ name, sql }) => {
        const file = path.join(dir, `${name}.sql`)
        await writeFile(file, sql)
        return file
      }),
    )
    return [...(await squawkFiles(files)), ...deprecationFindings(sources)]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

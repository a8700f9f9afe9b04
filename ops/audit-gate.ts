/**
 * `tsx ops/audit-gate.ts`: runs `npm audit --json` and fails on any high or critical advisory that
 * .security/allowlist.json does not accept. An accepted advisory names its GHSA id (or advisory URL), the
 * reason it does not apply, and an expiry date after which it blocks again.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

export type AllowlistEntry = Readonly<{ advisory: string; reason: string; expires: string }>
type Via = string | { url?: string; title?: string; severity?: string; source?: number }
export type AuditReport = Readonly<{
  vulnerabilities?: Record<string, { severity: string; via: ReadonlyArray<Via> }>
}>

const blockingSeverities = new Set(['high', 'critical'])

/** Advisory ids of `url` (GHSA id from a github.com/advisories URL, else the URL itself). */
const advisoryId = (url: string): string => /GHSA-[\w-]+$/.exec(url)?.[0] ?? url

/** High/critical advisories not covered by a live allowlist entry, as "package: id (severity) title". */
export const blockingFindings = (
  report: AuditReport,
  allowlist: ReadonlyArray<AllowlistEntry>,
  today: string,
): string[] => {
  const accepted = new Set(allowlist.filter((e) => e.expires >= today).map((e) => e.advisory))
  const found = new Set<string>()
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {}))
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue // reached through another package: reported under that one
      const severity = via.severity ?? vulnerability.severity
      const id = advisoryId(via.url ?? String(via.source))
      if (blockingSeverities.has(severity) && !accepted.has(id))
        found.add(`${name}: ${id} (${severity}) ${via.title ?? ''}`.trim())
    }
  return [...found].sort()
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..')
  const allowlist = JSON.parse(readFileSync(path.join(root, '.security/allowlist.json'), 'utf8')) as {
    npmAudit: AllowlistEntry[]
  }
  let output: string
  try {
    output = execFileSync('npm', ['audit', '--json'], { cwd: root, encoding: 'utf8' })
  } catch (e) {
    output = (e as { stdout?: string }).stdout ?? '' // npm audit exits 1 when it finds anything
  }
  const report = JSON.parse(output) as AuditReport & { error?: unknown }
  if (report.error !== undefined || report.vulnerabilities === undefined) {
    process.stderr.write('npm audit gave no report (registry unreachable?): failing closed\n')
    process.exit(1)
  }
  const blocking = blockingFindings(report, allowlist.npmAudit, new Date().toISOString().slice(0, 10))
  for (const line of blocking) process.stdout.write(`blocking: ${line}\n`)
  process.stdout.write(`npm audit gate: ${blocking.length} blocking finding(s)\n`)
  process.exit(blocking.length === 0 ? 0 : 1)
}

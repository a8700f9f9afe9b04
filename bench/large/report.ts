/**
 * How a large benchmark reports: a short table on stdout and the same figures as JSON in bench/results/
 * (gitignored), with the machine's load so a slow run on a busy machine can be told apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'

export type Row = Readonly<{ name: string; seconds: number; bytes: number }>

export type BenchResult = Readonly<{
  bench: string
  rows: ReadonlyArray<Row>
  /** ZKEB's time over the baseline's, both measured in this run. */
  ratio: number
  target?: number
  notes?: Readonly<Record<string, string | number>>
}>

const MiB = 1024 * 1024

export const seconds = (startNs: bigint): number => Number(process.hrtime.bigint() - startNs) / 1e9

export const report = (result: BenchResult): string => {
  const loadAfter = loadavg()
  const file = resolve(__dirname, '../results', `${result.bench}.json`)
  mkdirSync(resolve(__dirname, '../results'), { recursive: true })
  const json = { ...result, at: new Date().toISOString(), cpus: cpus().length, loadAverage: loadAfter }
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
  const lines = [
    `${result.bench}`,
    ...result.rows.map(
      (r) =>
        `  ${r.name.padEnd(34)} ${r.seconds.toFixed(2).padStart(8)} s ` +
        `${(r.bytes / MiB / r.seconds).toFixed(1).padStart(8)} MiB/s`,
    ),
    `  ratio ${result.ratio.toFixed(2)}×` +
      (result.target === undefined
        ? ''
        : ` (target ≤ ${result.target}×: ${result.ratio <= result.target ? 'met' : 'MISSED'})`),
    ...Object.entries(result.notes ?? {}).map(([k, v]) => `  ${k}: ${v}`),
    `  load average ${loadAfter.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores; JSON: ${join('bench/results', `${result.bench}.json`)}`,
  ]
  return lines.join('\n')
}

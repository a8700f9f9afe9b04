/**
 * `npm run bench:snapshot`: ZKEB snapshots against restic on one generated data set (test/support/snapshot-tree.ts:
 * BENCH_SNAPSHOT_FILES files, default 5000; BENCH_SNAPSHOT_MIB MiB, default 1024), all measured in the same run:
 * restic to a local folder, restic to ZKEB (REST backend) and zkeb's own snapshots, each a first backup, a second
 * backup of the unchanged tree and a restore, plus the stored bytes and the client's peak RSS. The server runs
 * in production mode on its own PostgreSQL cluster. Every client is a child process under /usr/bin/time -v.
 * BENCH_ZKEB_CPU_PROF=DIR also writes the zkeb client's CPU profiles (node --cpu-prof) there.
 * Targets (issue #14): first backup ≤ 1.3× restic-local and ≤ 1.0× restic-via-ZKEB; second ≤ restic's second;
 * restore ≤ 1.2× restic's; stored within 10 % of restic's repository; peak RSS ≤ 256 MiB.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSnapshotTree } from '../test/support/snapshot-tree'
import { resticAvailable } from '../test/support/restic'
import { startPostgres } from './services'
import { startProductionServer } from './large/production-server'
import { report } from './large/report'
import { folderBytes, type TimedRun } from './snapshot/timed-run'
import { resticRuns, zkebRuns, type ToolRuns } from './snapshot/tools'

const MiB = 1024 * 1024
const totalMiB = Number(process.env['BENCH_SNAPSHOT_MIB'] ?? 1024)
const files = Number(process.env['BENCH_SNAPSHOT_FILES'] ?? 5000)

const row = (name: string, run: TimedRun, bytes: number) => ({ name, seconds: run.seconds, bytes })
const verdict = (ratio: number, target: number) =>
  `${ratio.toFixed(2)}× (target ≤ ${target}×: ${ratio <= target ? 'met' : 'MISSED'})`

const main = async () => {
  if (!resticAvailable()) throw new Error('restic is not installed (apt-get install restic)')
  const work = mkdtempSync(join(tmpdir(), 'zkeb-bench-snapshot-'))
  const pg = await startPostgres()
  process.env['BENCH_DATABASE_URL'] = pg.url
  const server = await startProductionServer().catch((e: unknown) => {
    pg.stop()
    throw e
  })
  try {
    const source = join(work, 'source')
    const set = generateSnapshotTree(source, { seed: 1, files, bytes: totalMiB * MiB })
    execFileSync('sync')
    const tools: Record<string, ToolRuns> = {}
    tools['restic-local'] = await resticRuns(work, 'local', join(work, 'local-repo'), source)
    tools['restic-zkeb'] = await resticRuns(work, 'zkeb', undefined, source, server.base)
    tools['zkeb'] = await zkebRuns(work, source, server.base)
    const [local, viaZkeb, zkeb] = [tools['restic-local'], tools['restic-zkeb'], tools['zkeb']]
    const localRepoBytes = await folderBytes(join(work, 'local-repo'))
    const rows = Object.entries(tools).flatMap(([name, t]) => [
      row(`${name} first backup`, t.first, set.bytes),
      row(`${name} second backup`, t.second, set.bytes),
      row(`${name} restore`, t.restore, set.bytes),
    ])
    const storedRatio = zkeb.storedBytes / localRepoBytes
    console.log(
      report({
        bench: 'snapshot',
        rows,
        ratio: zkeb.first.seconds / local.first.seconds,
        target: 1.3,
        notes: {
          'data set': `${(set.bytes / MiB).toFixed(0)} MiB in ${set.files} files, ${set.dirs} folders, ${set.symlinks} symlinks`,
          'first backup vs restic-local': verdict(zkeb.first.seconds / local.first.seconds, 1.3),
          'first backup vs restic-via-ZKEB': verdict(zkeb.first.seconds / viaZkeb.first.seconds, 1.0),
          'second backup vs restic-local second': verdict(zkeb.second.seconds / local.second.seconds, 1.0),
          'restore vs restic-local restore': verdict(zkeb.restore.seconds / local.restore.seconds, 1.2),
          'stored (zkeb storedBytes / restic local repository)': `${(zkeb.storedBytes / MiB).toFixed(1)} / ${(localRepoBytes / MiB).toFixed(1)} MiB = ${storedRatio.toFixed(3)}× (target within 10 %: ${Math.abs(storedRatio - 1) <= 0.1 ? 'met' : 'MISSED'})`,
          ...Object.fromEntries(
            Object.entries(tools).map(([name, t]) => [
              `${name} CPU s (first / second / restore)`,
              `${t.first.cpuSeconds.toFixed(1)} / ${t.second.cpuSeconds.toFixed(1)} / ${t.restore.cpuSeconds.toFixed(1)}`,
            ]),
          ),
          ...Object.fromEntries(
            Object.entries(tools).map(([name, t]) => [
              `${name} peak RSS MiB (first / second / restore)`,
              `${t.first.peakRssMiB.toFixed(0)} / ${t.second.peakRssMiB.toFixed(0)} / ${t.restore.peakRssMiB.toFixed(0)}`,
            ]),
          ),
          'zkeb peak RSS target ≤ 256 MiB':
            Math.max(zkeb.first.peakRssMiB, zkeb.restore.peakRssMiB) <= 256 ? 'met' : 'MISSED',
          'zkeb client': zkeb.client,
        },
      }),
    )
  } finally {
    await server.close()
    pg.stop()
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})

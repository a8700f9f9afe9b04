/**
 * `npm run bench:restic`: restic backup of a mixed data set to ZKEB (REST backend, server in production mode on
 * a fresh database) against the same restic backing up the same set to a local folder, in the same run.
 * Target (bench/RESULTS.md): ZKEB ≤ 1.3× the local time. BENCH_RESTIC_MIB sizes the data set (default 1024).
 * The ZKEB backup runs once per blob store (BENCH_BLOB_STORES, default `fs,postgres`), each on a server and
 * database of its own, each against the one local run.
 * Both repositories are fresh and both runs have a fresh cache, so each backup does the same work; the local
 * one runs first (it also warms the page cache with the data set for the second).
 * Besides the times it reports where the CPU went (restic, the server, PostgreSQL: a throwaway cluster of its
 * own, fsync on), since on two cores the sum of the three bounds the ZKEB time.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aCliUser } from '../../test/client/cli/cli-kit'
import { aPassword, aUsername } from '../../test/client/sdk/sdk-kit'
import { restic, resticAvailable } from '../../test/support/restic'
import { startPostgres } from '../services'
import { clusterCpuSeconds, cpuSecondsOf, reapedChildrenCpuSeconds } from './cpu-accounting'
import { writeMixedDataSet } from './data-set'
import { type BenchBlobStore, benchBlobStores, startProductionServer } from './production-server'
import { report, seconds } from './report'

const MiB = 1024 * 1024
const totalMiB = Number(process.env['BENCH_RESTIC_MIB'] ?? 1024)

const timedBackup = async (work: string, name: string, repository: string, source: string) => {
  const env = {
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD: 'bench repository password',
    RESTIC_CACHE_DIR: join(work, `cache-${name}`),
    HOME: work,
  }
  const init = await restic(['init'], env)
  if (init.code !== 0) throw new Error(`restic init (${name}): ${init.stderr}`)
  const start = process.hrtime.bigint()
  const resticCpuBefore = reapedChildrenCpuSeconds()
  const run = await restic(['backup', '--host', 'bench', '--json', source], env, 3_600_000)
  const elapsed = seconds(start)
  const resticCpu = reapedChildrenCpuSeconds() - resticCpuBefore
  if (run.code !== 0) throw new Error(`restic backup (${name}): ${run.stderr}`)
  const summary = run.stdout
    .split('\n')
    .filter((line) => line.includes('"summary"'))
    .map((line) => JSON.parse(line) as { data_added?: number; total_files_processed?: number })[0]
  return { elapsed, resticCpu, dataAdded: summary?.data_added ?? 0 }
}

const zkebRepository = async (base: string): Promise<string> => {
  const user = aCliUser(base)
  const password = aPassword()
  const registered = await user.run(['register', aUsername()], { secrets: [password, password] })
  if (registered.code !== 0) throw new Error(`register: ${registered.stderr}`)
  const created = await user.run(['restic-token', 'create', '--repo', 'bench', '--json'], {
    env: { ZKEB_PASSWORD: password },
  })
  if (created.code !== 0) throw new Error(`restic-token create: ${created.stderr}`)
  return (JSON.parse(created.stdout) as { repository: string }).repository
}

const zkebRun = async (
  work: string,
  source: string,
  set: Readonly<{ bytes: number; files: number }>,
  local: Awaited<ReturnType<typeof timedBackup>>,
  store: BenchBlobStore,
) => {
  // Its own cluster (fsync on), so every postgres process is this run's and its CPU can be counted.
  const pg = await startPostgres()
  process.env['BENCH_DATABASE_URL'] = pg.url
  const server = await startProductionServer(store).catch((e: unknown) => {
    pg.stop()
    throw e
  })
  try {
    const repository = await zkebRepository(server.base)
    const serverBefore = cpuSecondsOf(server.pid)
    const postgresBefore = clusterCpuSeconds(pg.dir)
    const zkeb = await timedBackup(work, `zkeb-${store}`, repository, source)
    const serverCpu = cpuSecondsOf(server.pid) - serverBefore
    const postgresCpu = clusterCpuSeconds(pg.dir) - postgresBefore
    const perMiB = (cpuSeconds: number) => `${((cpuSeconds * 1000 * MiB) / set.bytes).toFixed(1)} ms per MiB`
    const version = (await restic(['version'], {})).stdout.trim()
    console.log(
      report({
        bench: `restic-backup-${store}`,
        rows: [
          { name: 'restic → local folder', seconds: local.elapsed, bytes: set.bytes },
          { name: `restic → ZKEB (BLOB_STORE=${store})`, seconds: zkeb.elapsed, bytes: set.bytes },
        ],
        ratio: zkeb.elapsed / local.elapsed,
        target: 1.3,
        notes: {
          'data set': `${(set.bytes / MiB).toFixed(0)} MiB in ${set.files} files`,
          'added to the repository (local / ZKEB)': `${(local.dataAdded / MiB).toFixed(1)} / ${(zkeb.dataAdded / MiB).toFixed(1)} MiB`,
          'restic CPU (local / ZKEB)': `${local.resticCpu.toFixed(1)} / ${zkeb.resticCpu.toFixed(1)} s`,
          // The server's own work per MiB (loopback sends count the kernel's work for PostgreSQL too; load moves it).
          'server CPU during the ZKEB backup': `${serverCpu.toFixed(1)} s (${perMiB(serverCpu)})`,
          'PostgreSQL CPU during the ZKEB backup': `${postgresCpu.toFixed(1)} s (${perMiB(postgresCpu)})`,
          restic: version,
        },
      }),
    )
  } finally {
    await server.close()
    pg.stop()
  }
}

const main = async () => {
  if (!resticAvailable()) throw new Error('restic is not installed (apt-get install restic)')
  const work = mkdtempSync(join(tmpdir(), 'zkeb-bench-restic-'))
  try {
    const source = join(work, 'source')
    const set = writeMixedDataSet(source, totalMiB * MiB)
    execFileSync('sync')
    const local = await timedBackup(work, 'local', join(work, 'local-repo'), source)
    for (const store of benchBlobStores()) await zkebRun(work, source, set, local, store)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})

/**
 * Where the CPU of a benchmark run went, read from /proc (Linux): the process under test, a PostgreSQL cluster
 * (its postmaster and every child: backends, WAL writer, checkpointer), and the children this process has
 * waited for (a client such as restic, once it exited). On two cores, elapsed time is at least the sum over
 * two, so these explain a ratio in CPU terms rather than leaving it to a guess.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const ticksPerSecond = 100

/** Fields after the command name in /proc/<pid>/stat (index 0 is the state). */
const statFields = (path: string): ReadonlyArray<string> | undefined => {
  try {
    return readFileSync(path, 'utf8').split(') ')[1]?.split(' ')
  } catch {
    return undefined // the process exited between listing and reading
  }
}

/** User + system CPU seconds of `pid` itself (its threads included). */
export const cpuSecondsOf = (pid: number): number => {
  const f = statFields(`/proc/${pid}/stat`) ?? []
  return (Number(f[11] ?? 0) + Number(f[12] ?? 0)) / ticksPerSecond
}

/** CPU seconds of the children this process has reaped (cutime + cstime): a client run to completion. */
export const reapedChildrenCpuSeconds = (): number => {
  const f = statFields('/proc/self/stat') ?? []
  return (Number(f[13] ?? 0) + Number(f[14] ?? 0)) / ticksPerSecond
}

/**
 * CPU seconds of a PostgreSQL cluster: the postmaster (first line of postmaster.pid in its data folder) and its
 * live children. A backend that exited during the run takes its CPU with it, so the pool's connections must
 * outlive the measured window (they do: the server keeps them while it works).
 */
export const clusterCpuSeconds = (dataDir: string): number => {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  let total = cpuSecondsOf(postmaster)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const f = statFields(`/proc/${entry}/stat`)
    if (f !== undefined && Number(f[1]) === postmaster) total += cpuSecondsOf(Number(entry))
  }
  return total
}

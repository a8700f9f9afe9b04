/**
 * The three clients of the snapshot benchmark, each run as the user would: restic to a local folder, restic to
 * ZKEB's REST backend (a restic token made with the zkeb CLI), and zkeb snapshots. Each does a first backup, a
 * second backup of the unchanged tree and a restore into a fresh folder (removed afterwards to save disk).
 */
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { aCliUser } from '../../test/client/cli/cli-kit'
import { aPassword, aUsername } from '../../test/client/sdk/sdk-kit'
import { restic } from '../../test/support/restic'
import { timedRun, type TimedRun } from './timed-run'

export type ToolRuns = Readonly<{
  first: TimedRun
  second: TimedRun
  restore: TimedRun
  storedBytes: number
  client: string
}>

const root = resolve(__dirname, '../..')

const zkebResticRepository = async (base: string): Promise<string> => {
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

/** restic to `repository` (a folder), or to ZKEB at `base` when `repository` is undefined. */
export const resticRuns = async (
  work: string,
  name: string,
  repository: string | undefined,
  source: string,
  base?: string,
): Promise<ToolRuns> => {
  const env = {
    RESTIC_REPOSITORY: repository ?? (await zkebResticRepository(base!)),
    RESTIC_PASSWORD: 'bench repository password',
    RESTIC_CACHE_DIR: join(work, `cache-${name}`),
    HOME: work,
  }
  const init = await restic(['init'], env)
  if (init.code !== 0) throw new Error(`restic init (${name}): ${init.stderr}`)
  const backup = () =>
    timedRun('restic', ['backup', '--host', 'bench', '--json', source], env, join(work, `time-${name}`))
  const first = await backup()
  const second = await backup()
  const target = join(work, `restore-${name}`)
  const restored = await timedRun(
    'restic',
    ['restore', 'latest', '--target', target],
    env,
    join(work, `time-${name}`),
  )
  rmSync(target, { recursive: true, force: true })
  return { first, second, restore: restored, storedBytes: 0, client: 'restic' }
}

const zkebBin = join(root, 'client', 'cli', 'bin.js')

/** zkeb snapshots through the real executable (client/cli/bin.js: its esbuild bundle), as a user runs it. */
export const zkebRuns = async (work: string, source: string, base: string): Promise<ToolRuns> => {
  const env = {
    ZKEB_SERVER: base,
    ZKEB_PASSWORD: aPassword(),
    ZKEB_CONFIG_DIR: join(work, 'zkeb-config'),
    HOME: work,
  }
  const profileDir = process.env['BENCH_ZKEB_CPU_PROF']
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  const zkeb = (args: ReadonlyArray<string>) =>
    timedRun(process.execPath, [...profile, zkebBin, ...args, '--json'], env, join(work, 'time-zkeb'))
  await zkeb(['register', aUsername()])
  const first = await zkeb(['backup', source])
  const second = await zkeb(['backup', source])
  const snapshotId = (JSON.parse(second.stdout) as { snapshotId: string }).snapshotId
  const target = join(work, 'restore-zkeb')
  const restored = await zkeb(['restore', snapshotId, '--target', target])
  rmSync(target, { recursive: true, force: true })
  const stats = JSON.parse((await zkeb(['stats'])).stdout) as { storedBytes: number }
  return {
    first,
    second,
    restore: restored,
    storedBytes: stats.storedBytes,
    client: 'zkeb CLI (client/cli/bin.js)',
  }
}

/** Runs the operator's snapshot collector (`zkeb-admin gc-snapshots --grace-seconds 0`) on a world's server. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { repositoryRoot } from './server-process'
import type { SnapshotWorld } from './snapshot-world'

export type Collected = Readonly<{ accounts: number; objects: number; packs: number }>

export const gcSnapshots = async (world: SnapshotWorld): Promise<Collected> => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['adapters/admin-cli/bin.js', 'gc-snapshots', '--grace-seconds', '0', '--json'],
    { cwd: repositoryRoot, env: { ...process.env, ...world.serverEnv() } },
  )
  return JSON.parse(stdout) as Collected
}

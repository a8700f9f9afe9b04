/**
 * A registered CLI user against the snapshot server (real PostgreSQL), and a small real folder with every kind
 * of entry the snapshot commands must keep: modes, sub-second mtimes, symlinks, empty folders, unicode names.
 */
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'chai'
import { startSnapshotServer, type SnapshotServer } from '../../support/snapshot-server'
import { aPassword, aUsername, someBytes } from '../sdk/sdk-kit'
import { aCliUser, type CliRun, type CliUser, type RunExtra } from './cli-kit'

export type SnapshotCli = Readonly<{
  server: SnapshotServer
  user: CliUser
  recoveryKey: string
  /** Runs zkeb with the password; `ok` expects exit 0. */
  zkeb: (argv: ReadonlyArray<string>, extra?: RunExtra) => Promise<CliRun>
  ok: (argv: ReadonlyArray<string>) => Promise<CliRun>
  json: <A>(argv: ReadonlyArray<string>) => Promise<A>
}>

export const aSnapshotCli = async (): Promise<SnapshotCli> => {
  const server = await startSnapshotServer()
  const user = aCliUser(server.base)
  const password = aPassword()
  const zkeb = (argv: ReadonlyArray<string>, extra: RunExtra = {}) => {
    server.clock.advance(1000) // the server's clock stands still otherwise: snapshots would share a receive time
    return user.run(argv, { ...extra, env: { ZKEB_PASSWORD: password, ...extra.env } })
  }
  const ok = async (argv: ReadonlyArray<string>) => {
    const result = await zkeb(argv)
    expect(result.code, `${argv.join(' ')}: ${result.stderr}`).to.equal(0)
    return result
  }
  const json = async <A>(argv: ReadonlyArray<string>) =>
    JSON.parse((await ok([...argv, '--json'])).stdout) as A
  const { recoveryKey } = await json<{ recoveryKey: string }>(['register', aUsername()])
  return { server, user, recoveryKey, zkeb, ok, json }
}

/** A folder under `root` named `name` with files, modes, mtimes, symlinks, empty folders and unicode names. */
export const aSmallTree = async (root: string, name = 'tree'): Promise<string> => {
  const dir = join(root, name)
  await mkdir(join(dir, 'docs/deep'), { recursive: true })
  await mkdir(join(dir, 'empty folder'))
  await mkdir(join(dir, 'docs/also empty'))
  await writeFile(join(dir, 'docs/readme.txt'), 'hello\n')
  await writeFile(join(dir, 'docs/deep/data.bin'), someBytes(700_000, 11))
  await writeFile(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n')
  await chmod(join(dir, 'run.sh'), 0o755)
  await writeFile(join(dir, 'héllo wörld ✓ 日本.txt'), 'unicode\n')
  await writeFile(join(dir, 'private.key'), 'secret\n')
  await chmod(join(dir, 'private.key'), 0o600)
  await symlink('docs/readme.txt', join(dir, 'link-relative'))
  await symlink('/nonexistent/target', join(dir, 'link-dangling'))
  await utimes(join(dir, 'docs/readme.txt'), 1_600_000_000.123456, 1_600_000_000.123456)
  await utimes(join(dir, 'empty folder'), 1_500_000_000.5, 1_500_000_000.5)
  return dir
}

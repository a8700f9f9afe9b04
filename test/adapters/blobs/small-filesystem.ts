/**
 * A real filesystem that fills up: a tmpfs of `sizeBytes` mounted on a fresh folder, so writes past it fail
 * with ENOSPC exactly as a full disk does. Mounting needs root (CAP_SYS_ADMIN): as root directly, otherwise
 * through passwordless `sudo -n` (CI runners), owned by the test's user; where both are refused the caller
 * gets null and skips, saying so.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export type SmallFilesystem = Readonly<{ dir: string; unmount: () => Promise<void> }>

export const mountSmallFilesystem = async (sizeBytes: number): Promise<SmallFilesystem | null> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'zkeb-small-fs-'))
  const owner = `uid=${process.getuid?.() ?? 0},gid=${process.getgid?.() ?? 0}`
  const asRoot = (command: string, args: string[]) =>
    process.getuid?.() === 0 ? run(command, args) : run('sudo', ['-n', command, ...args])
  try {
    await asRoot('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700,${owner}`, 'tmpfs', dir])
  } catch {
    await rm(dir, { recursive: true, force: true })
    return null
  }
  return {
    dir,
    unmount: async () => {
      await asRoot('umount', [dir])
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Every file under `dir` (recursively), relative to it: what a test expects to find left behind. */
export const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

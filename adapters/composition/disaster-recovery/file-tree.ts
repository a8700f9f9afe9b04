/**
 * Knows the backup folder's files: copying a tree that changes while it is read (a live PostgreSQL data
 * folder), and the SHA-256 digests the manifest lists so restore can prove the folder was not altered.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { chmod, chown, copyFile, lstat, mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'

export type FileDigest = Readonly<{ path: string; bytes: number; sha256: string }>

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT'

/** Streams a file through SHA-256: never held in memory whole. */
export const digestFile = async (file: string): Promise<{ sha256: string; bytes: number }> => {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), bytes }
}

/** Every regular file under `root`, as paths relative to it with `/` separators, in a stable order. */
export const listFiles = async (root: string, below = ''): Promise<ReadonlyArray<string>> => {
  const found: string[] = []
  const entries = await readdir(path.join(root, below), { withFileTypes: true })
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = below === '' ? entry.name : `${below}/${entry.name}`
    if (entry.isDirectory()) found.push(...(await listFiles(root, relative)))
    else if (entry.isFile()) found.push(relative)
  }
  return found
}

/** Digests of the given files under `root`, in the order given. */
export const digestFiles = async (
  root: string,
  files: ReadonlyArray<string>,
): Promise<ReadonlyArray<FileDigest>> => {
  const digests: FileDigest[] = []
  for (const file of files) digests.push({ path: file, ...(await digestFile(path.join(root, file))) })
  return digests
}

/** The first listed file whose digest differs from the one recorded, or undefined when all match. */
export const firstAltered = async (
  root: string,
  expected: ReadonlyArray<FileDigest>,
): Promise<string | undefined> => {
  for (const file of expected) {
    const actual = await digestFile(path.join(root, file.path)).catch(() => undefined)
    if (actual?.sha256 !== file.sha256 || actual.bytes !== file.bytes) return file.path
  }
  return undefined
}

/** What a tree copy leaves out: a folder's contents (kept empty) or a file. */
export type CopyRules = Readonly<{
  skipContentsOf: (relativeDir: string) => boolean
  skipFile: (relativePath: string, name: string) => boolean
}>

/**
 * Copies `from` into `to` (created), folder by folder. Files that vanish while the copy runs (a table dropped,
 * a temporary file removed) are skipped, as pg_basebackup does; what changes while it is read is repaired by
 * WAL replay. Returns the copied files, relative to `to`.
 */
export const copyTree = async (
  from: string,
  to: string,
  rules: CopyRules,
  below = '',
): Promise<ReadonlyArray<string>> => {
  await mkdir(path.join(to, below), { recursive: true, mode: 0o700 })
  if (below !== '' && rules.skipContentsOf(below)) return []
  const copied: string[] = []
  const entries = await readdir(path.join(from, below), { withFileTypes: true }).catch((e: unknown) => {
    if (isMissing(e)) return []
    throw e
  })
  for (const entry of entries) {
    const relative = below === '' ? entry.name : `${below}/${entry.name}`
    if (entry.isDirectory()) copied.push(...(await copyTree(from, to, rules, relative)))
    else if (entry.isFile() && !rules.skipFile(relative, entry.name)) {
      const done = await copyFile(path.join(from, relative), path.join(to, relative)).then(
        () => true,
        (e: unknown) => {
          if (isMissing(e)) return false
          throw e
        },
      )
      if (done) copied.push(relative)
    }
  }
  return copied
}

/** Gives a tree to `uid:gid` with owner-only modes: what PostgreSQL demands of its data folder. */
export const ownTree = async (root: string, owner: Readonly<{ uid: number; gid: number }> | null) => {
  const info = await lstat(root)
  await chmod(root, info.isDirectory() ? 0o700 : 0o600)
  if (owner !== null) await chown(root, owner.uid, owner.gid)
  if (!info.isDirectory()) return
  for (const name of await readdir(root)) await ownTree(path.join(root, name), owner)
}

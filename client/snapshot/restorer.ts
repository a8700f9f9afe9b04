/**
 * Knows a restore: a snapshot (or one path inside it) recreated under a target folder — folders, files with
 * their modes and mtimes, symlinks (their own mtimes via lutimes), empty folders. Folder modes and mtimes are
 * set last, deepest first, so writing children neither fails on a read-only folder nor moves its mtime.
 */
import { lstat, lutimes, mkdir, readlink, rm, symlink, chmod, utimes } from 'node:fs/promises'
import * as E from 'fp-ts/Either'
import { joinPath } from './archive-walk'
import { sameBytes } from './binary'
import { fsFailure, invalidArgument, raise, SnapshotError } from './errors'
import type { ObjectId } from './object'
import { attempt, loadTree, snapshotMetadata, type Repository } from './repository'
import { restoreFiles, utimesSeconds, type FileCounts, type FileJob } from './restore-files'
import type { SnapshotRecord } from './store'
import type { DirEntry, SymlinkEntry, Tree, TreeEntry } from './tree'

export type RestoreOptions = Readonly<{
  target: string
  /** A path inside the snapshot ("docs/2024"); its contents (or the file itself) go under target. */
  subPath?: string
  /** Check files already in the target by their chunk ids and keep the complete ones (default true). */
  verifyExisting?: boolean
  /** After each file, written or kept, with its size (progress). */
  onFile?: (bytes: number) => void
}>

export type RestoreSummary = FileCounts & { dirs: number; symlinks: number }

type Selection = Readonly<{ tree: Tree } | { entry: TreeEntry }>

/** The tree or entry at `subPath` (components as UTF-8 bytes, compared with the stored raw names). */
export const select = async (
  repo: Repository,
  root: Tree,
  subPath: string | undefined,
): Promise<Selection> => {
  const parts = (subPath ?? '').split('/').filter((p) => p.length > 0 && p !== '.')
  let tree = root
  for (const [i, part] of parts.entries()) {
    const entry = tree.find((e) => sameBytes(e.name, Buffer.from(part)))
    if (entry === undefined) return raise(invalidArgument('path not in snapshot'))
    if (i === parts.length - 1 && entry.type !== 'dir') return { entry }
    if (entry.type !== 'dir') return raise(invalidArgument('path not in snapshot'))
    tree = await loadTree(repo, entry.subtree)
  }
  return { tree }
}

/** A folder at `path`, never a symlink to one (a symlink there would lead the restore outside the target). */
const ensureDir = async (path: Buffer): Promise<void> => {
  const st = await lstat(path).catch(() => undefined)
  // A folder left read-only by an interrupted restore must take its children again.
  if (st?.isDirectory() === true) return chmod(path, (st.mode & 0o7777) | 0o700)
  if (st !== undefined) await rm(path, { force: true })
  await mkdir(path, { recursive: true }).catch((e: unknown) => raise(fsFailure('mkdir', path.toString(), e)))
}

const placeSymlink = async (path: Buffer, entry: SymlinkEntry): Promise<void> => {
  const st = await lstat(path).catch(() => undefined)
  const same =
    st?.isSymbolicLink() === true && sameBytes(await readlink(path, { encoding: 'buffer' }), entry.target)
  if (!same) {
    if (st?.isDirectory() === true) raise(fsFailure('symlink', path.toString(), { code: 'EISDIR' }))
    if (st !== undefined) await rm(path, { force: true })
    await symlink(Buffer.from(entry.target), path)
  }
  const mtime = utimesSeconds(entry.mtimeNs)
  await lutimes(path, mtime, mtime)
}

type Plan = { files: FileJob[]; dirs: Array<Readonly<{ path: Buffer; entry: DirEntry }>>; symlinks: number }

/** Creates folders and symlinks below `dir`, and lists the files to write and folder metadata to apply. */
const planTree = async (repo: Repository, tree: Tree, dir: Buffer, plan: Plan): Promise<void> => {
  await ensureDir(dir)
  for (const entry of tree) await planEntry(repo, entry, joinPath(dir, entry.name), plan)
}

const planEntry = async (repo: Repository, entry: TreeEntry, path: Buffer, plan: Plan): Promise<void> => {
  switch (entry.type) {
    case 'dir':
      await planTree(repo, await loadTree(repo, entry.subtree), path, plan)
      plan.dirs.push({ path, entry })
      return
    case 'symlink':
      await placeSymlink(path, entry)
      plan.symlinks++
      return
    case 'file': {
      const st = await lstat(path).catch(() => undefined)
      if (st?.isDirectory() === true) await rm(path, { recursive: true, force: true })
      plan.files.push({ path, entry })
    }
  }
}

/** Restores `record` (or its `subPath`) under `target`. */
export const restore = (
  repo: Repository,
  record: SnapshotRecord,
  o: RestoreOptions,
): Promise<E.Either<SnapshotError, RestoreSummary>> =>
  attempt(async () => {
    const root = await loadTree(repo, (await snapshotMetadata(repo, record)).tree as ObjectId)
    const selection = await select(repo, root, o.subPath)
    const target = Buffer.from(o.target)
    const plan: Plan = { files: [], dirs: [], symlinks: 0 }
    if ('tree' in selection) await planTree(repo, selection.tree, target, plan)
    else {
      await ensureDir(target)
      await planEntry(repo, selection.entry, joinPath(target, selection.entry.name), plan)
    }
    const counts: FileCounts = { filesRestored: 0, filesSkipped: 0, bytesWritten: 0 }
    await restoreFiles(repo, plan.files, counts, {
      verifyExisting: o.verifyExisting ?? true,
      onFile: o.onFile,
    })
    for (const { path, entry } of plan.dirs) {
      await chmod(path, entry.mode)
      const mtime = utimesSeconds(entry.mtimeNs)
      await utimes(path, mtime, mtime)
    }
    return { ...counts, dirs: plan.dirs.length, symlinks: plan.symlinks }
  })

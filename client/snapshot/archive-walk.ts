/**
 * Knows how one run walks the file system into trees: folders read with raw-byte names (readdir 'buffer'),
 * entries lstat'ed (never followed), files chunked and uploaded, and restic's parent logic: a file whose size,
 * mtime, inode and ctime equal the parent snapshot's entry of the same name reuses that entry's content without
 * being opened. Files are read one at a time (one chunk buffer); their chunks are identified, sealed and packed
 * concurrently, at most `slots` at once, so memory stays bounded whatever the tree.
 */
import { lstat, open, readdir, readlink } from 'node:fs/promises'
import type { BigIntStats } from 'node:fs'
import { chunkReader } from './chunk-reader'
import { compareBytes, hex } from './binary'
import type { Excluder } from './excludes'
import type { ObjectId } from './object'
import { loadTree, type Repository } from './repository'
import { encodeTree, type Tree, type TreeEntry } from './tree'
import type { Uploader } from './uploader'
import { fsFailure, raise, SnapshotFailure } from './errors'

export type WalkCounts = {
  filesNew: number
  filesChanged: number
  filesUnchanged: number
  dirs: number
  symlinks: number
  skipped: number
  totalFiles: number
  totalBytes: number
  bytesRead: number
}

export type Walk = Readonly<{
  repo: Repository
  up: Uploader
  exclude: Excluder
  counts: WalkCounts
  /** Every object id the snapshot references, reused ones included. */
  refs: Set<ObjectId>
  /** Local paths that could not be read (permission, vanished): shown to the user, never sent. */
  warnings: Array<Readonly<{ path: string; code: string }>>
  /** After each file, read or unchanged, with its size (progress). */
  onFile?: (bytes: number) => void
}>

/** A counting semaphore: bounds the chunks being identified, sealed and packed at once. */
const semaphore = (slots: number) => {
  let free = slots
  const waiting: Array<() => void> = []
  return {
    acquire: async (): Promise<void> => {
      if (free > 0) free--
      else await new Promise<void>((resolve) => waiting.push(resolve))
    },
    release: (): void => {
      const next = waiting.shift()
      if (next !== undefined) next()
      else free++
    },
  }
}

const SLASH = Uint8Array.of(0x2f)
export const joinPath = (dir: Uint8Array, name: Uint8Array): Buffer =>
  Buffer.concat(dir.length === 1 && dir[0] === 0x2f ? [dir, name] : [dir, SLASH, name])

const vanished = (e: unknown): boolean =>
  ['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM'].includes((e as { code?: string }).code ?? '')

export const walker = (w: Walk) => {
  const reader = chunkReader(w.repo.cdc)
  const slots = semaphore(3)
  const warn = (path: Uint8Array, e: unknown) => {
    w.warnings.push({ path: Buffer.from(path).toString(), code: (e as { code?: string }).code ?? 'EUNKNOWN' })
    w.counts.skipped++
  }

  /** Reads and chunks the file now; its ids settle later (the promise never rejects unhandled). */
  const archiveFile = async (path: Buffer): Promise<{ size: number; content: Promise<ObjectId[]> }> => {
    const handle = await open(path, 'r')
    const ids: Promise<ObjectId>[] = []
    let size = 0
    try {
      for await (const chunk of reader.chunks(
        async (buf, offset, length) => (await handle.read(buf, offset, length)).bytesRead,
      )) {
        size += chunk.length
        await slots.acquire()
        const id = w.up.add('data', chunk).finally(slots.release)
        id.catch(() => undefined)
        ids.push(id)
      }
    } finally {
      await handle.close()
    }
    w.counts.bytesRead += size
    return { size, content: Promise.all(ids) }
  }

  const fileEntry = async (
    path: Buffer,
    common: Omit<TreeEntry, 'type' | 'size'>,
    prev: TreeEntry | undefined,
    st: BigIntStats,
  ) => {
    const unchanged =
      prev?.type === 'file' &&
      prev.size === Number(st.size) &&
      prev.mtimeNs === st.mtimeNs &&
      prev.ctimeNs === st.ctimeNs &&
      prev.inode === st.ino
    w.counts.totalFiles++
    if (unchanged) {
      w.counts.filesUnchanged++
      w.counts.totalBytes += prev.size
      for (const id of prev.content) w.refs.add(id)
      w.onFile?.(prev.size)
      return { ...common, type: 'file' as const, size: prev.size, content: prev.content }
    }
    const { size, content } = await archiveFile(path)
    w.counts[prev === undefined ? 'filesNew' : 'filesChanged']++
    w.counts.totalBytes += size
    return content.then((ids) => {
      for (const id of ids) w.refs.add(id)
      w.onFile?.(size)
      return { ...common, type: 'file' as const, size, content: ids }
    })
  }

  /** The entry for one path (a PATH or a folder's child), or undefined when it is skipped. */
  const archiveEntry = async (
    path: Buffer,
    name: Uint8Array,
    prev: TreeEntry | undefined,
  ): Promise<TreeEntry | Promise<TreeEntry> | undefined> => {
    try {
      const st = await lstat(path, { bigint: true })
      const common = {
        name,
        mode: Number(st.mode & 0o7777n),
        mtimeNs: st.mtimeNs,
        ctimeNs: st.ctimeNs,
        inode: st.ino,
      }
      if (st.isDirectory()) {
        const parentTree = prev?.type === 'dir' ? await loadTree(w.repo, prev.subtree) : undefined
        const subtree = await archiveDir(path, parentTree)
        w.counts.dirs++
        return { ...common, type: 'dir', size: 0, subtree }
      }
      if (st.isSymbolicLink()) {
        w.counts.symlinks++
        return { ...common, type: 'symlink', size: 0, target: await readlink(path, { encoding: 'buffer' }) }
      }
      if (st.isFile()) return await fileEntry(path, common, prev, st)
      w.counts.skipped++ // sockets, FIFOs, devices: not backed up (see protocol-snapshots.md)
      return undefined
    } catch (e) {
      if (e instanceof SnapshotFailure) throw e
      if (vanished(e)) return void warn(path, e)
      return raise(fsFailure('read', path.toString(), e))
    }
  }

  /** Archives a folder (and everything below it) and returns its tree id. */
  const archiveDir = async (path: Buffer, parent: Tree | undefined): Promise<ObjectId> => {
    const names = (await readdir(path, { encoding: 'buffer' })).sort(compareBytes)
    const previous = new Map((parent ?? []).map((e) => [hex(e.name), e]))
    const entries: Array<TreeEntry | Promise<TreeEntry> | undefined> = []
    for (const name of names) {
      const child = joinPath(path, name)
      if (w.exclude(child)) continue
      const entry = await archiveEntry(child, name, previous.get(hex(name)))
      if (entry instanceof Promise) entry.catch(() => undefined)
      entries.push(entry)
    }
    return archiveTree(await Promise.all(entries.map((e) => Promise.resolve(e))))
  }

  /** Encodes and uploads a tree of the given entries (undefined ones dropped); returns its id. */
  const archiveTree = async (entries: ReadonlyArray<TreeEntry | undefined>): Promise<ObjectId> => {
    const id = await w.up.add('tree', encodeTree(entries.filter((e): e is TreeEntry => e !== undefined)))
    w.refs.add(id)
    return id
  }

  return { archiveEntry, archiveTree }
}

/**
 * Knows how to list a snapshot's tree (`zkeb ls SNAPSHOT[:PATH]`) and compare two snapshots (`zkeb diff`).
 * Both walk trees lazily, one folder in memory per level; diff skips any sub-folder whose tree id is the same
 * in both, which is most of them between two runs of one series.
 */
import { compareBytes } from './binary'
import type { ObjectId } from './object'
import { loadTree, snapshotMetadata, type Repository } from './repository'
import { select } from './restorer'
import type { SnapshotRecord } from './store'
import type { Tree, TreeEntry } from './tree'

export type Listed = Readonly<{ path: Uint8Array; entry: TreeEntry }>

const SLASH = Uint8Array.of(0x2f)
const child = (dir: Uint8Array, name: Uint8Array): Uint8Array =>
  dir.length === 0 ? name : Buffer.concat([dir, SLASH, name])

async function* walkTree(repo: Repository, tree: Tree, dir: Uint8Array): AsyncGenerator<Listed> {
  for (const entry of tree) {
    const path = child(dir, entry.name)
    yield { path, entry }
    if (entry.type === 'dir') yield* walkTree(repo, await loadTree(repo, entry.subtree), path)
  }
}

const rootTree = async (repo: Repository, record: SnapshotRecord): Promise<Tree> =>
  loadTree(repo, (await snapshotMetadata(repo, record)).tree as ObjectId)

/** Every entry below `subPath` (or the whole snapshot), depth first, paths relative to the snapshot root. */
export async function* listSnapshot(
  repo: Repository,
  record: SnapshotRecord,
  subPath?: string,
): AsyncGenerator<Listed> {
  const selection = await select(repo, await rootTree(repo, record), subPath)
  const prefix = Buffer.from(
    (subPath ?? '')
      .split('/')
      .filter((p) => p.length > 0 && p !== '.')
      .join('/'),
  )
  if ('entry' in selection) yield { path: prefix, entry: selection.entry }
  else yield* walkTree(repo, selection.tree, prefix)
}

export type Change = Readonly<{
  path: Uint8Array
  /** added / removed (a change of type is both); `content`: other bytes or target; `metadata`: mode or mtime. */
  change: 'added' | 'removed' | 'content' | 'metadata'
}>

const sameContent = (a: TreeEntry, b: TreeEntry): boolean => {
  if (a.type === 'file' && b.type === 'file') return a.content.join() === b.content.join()
  if (a.type === 'symlink' && b.type === 'symlink') return compareBytes(a.target, b.target) === 0
  return true
}

const sameMetadata = (a: TreeEntry, b: TreeEntry): boolean => a.mode === b.mode && a.mtimeNs === b.mtimeNs

async function* all(
  repo: Repository,
  entry: TreeEntry,
  path: Uint8Array,
  change: 'added' | 'removed',
): AsyncGenerator<Change> {
  yield { path, change }
  if (entry.type === 'dir')
    for await (const l of walkTree(repo, await loadTree(repo, entry.subtree), path))
      yield { path: l.path, change }
}

async function* diffTrees(repo: Repository, a: Tree, b: Tree, dir: Uint8Array): AsyncGenerator<Change> {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const order = i >= a.length ? 1 : j >= b.length ? -1 : compareBytes(a[i]!.name, b[j]!.name)
    if (order < 0) yield* all(repo, a[i]!, child(dir, a[i++]!.name), 'removed')
    else if (order > 0) yield* all(repo, b[j]!, child(dir, b[j++]!.name), 'added')
    else yield* diffEntries(repo, a[i++]!, b[j++]!, dir)
  }
}

async function* diffEntries(
  repo: Repository,
  x: TreeEntry,
  y: TreeEntry,
  dir: Uint8Array,
): AsyncGenerator<Change> {
  const path = child(dir, x.name)
  if (x.type !== y.type) {
    yield* all(repo, x, path, 'removed')
    yield* all(repo, y, path, 'added')
    return
  }
  if (x.type === 'dir' && y.type === 'dir') {
    if (!sameMetadata(x, y)) yield { path, change: 'metadata' }
    if (x.subtree !== y.subtree)
      yield* diffTrees(repo, await loadTree(repo, x.subtree), await loadTree(repo, y.subtree), path)
    return
  }
  if (!sameContent(x, y)) yield { path, change: 'content' }
  else if (!sameMetadata(x, y)) yield { path, change: 'metadata' }
}

/** What changed from snapshot `a` to snapshot `b`, in path order. */
export async function* diffSnapshots(
  repo: Repository,
  a: SnapshotRecord,
  b: SnapshotRecord,
): AsyncGenerator<Change> {
  yield* diffTrees(repo, await rootTree(repo, a), await rootTree(repo, b), new Uint8Array(0))
}

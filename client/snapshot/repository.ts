/**
 * Knows a snapshot repository as the client sees it: the store, the keys and the chunker, plus the reads every
 * command needs (trees by id, objects in batches, snapshots by id or prefix), each object verified on arrival.
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { Bkk } from '../crypto/keys'
import { makeCdc, SNAPSHOT_CHUNKER, type Cdc } from './chunker'
import { fsFailure, invalidEncoding, raise, SnapshotError, SnapshotFailure, snapshotNotFound } from './errors'
import {
  generateRepositoryKey,
  prepareKeys,
  unwrapRepositoryKey,
  wrapRepositoryKey,
  type SnapshotKeys,
} from './keys'
import { decryptSnapshotMetadata, type SnapshotMetadata } from './metadata'
import { openObject, type ObjectId, type ObjectType } from './object'
import { MAX_READ_IDS, type SnapshotRecord, type SnapshotStore } from './store'
import { decodeTree, type Tree } from './tree'

export type Repository = Readonly<{ store: SnapshotStore; keys: SnapshotKeys; cdc: Cdc }>

/** Runs a store call; a Left is thrown as SnapshotFailure (direct-style code only). */
export const run = async <A>(task: TE.TaskEither<SnapshotError, A>): Promise<A> => {
  const result = await task()
  return E.isRight(result) ? result.right : raise(result.left)
}

/** Runs direct-style code and resolves to Either: the engine's public entry points use it. */
export const attempt = async <A>(f: () => Promise<A>): Promise<E.Either<SnapshotError, A>> => {
  try {
    return E.right(await f())
  } catch (e) {
    if (e instanceof SnapshotFailure) return E.left(e.error)
    const fsError = e as { code?: unknown; syscall?: unknown; path?: unknown }
    if (typeof fsError.code === 'string' && typeof fsError.syscall === 'string')
      return E.left(fsFailure(fsError.syscall, typeof fsError.path === 'string' ? fsError.path : '', e)) // a local file-system error
    throw e
  }
}

/**
 * Opens the account's repository: unwraps its RK, or makes one and stores it wrapped when there is none. Two
 * devices racing to make the first key: the loser reads and uses the winner's.
 */
export const openRepository = (
  store: SnapshotStore,
  bkk: Bkk,
): Promise<E.Either<SnapshotError, Repository>> =>
  attempt(async () => {
    let wrapped = await run(store.getKey())
    if (O.isNone(wrapped)) {
      const fresh = await wrapRepositoryKey(bkk, generateRepositoryKey())
      const stored = await store.putKey(fresh)()
      if (E.isLeft(stored) && stored.left._tag !== 'SnapshotKeyExists') raise(stored.left)
      wrapped = E.isRight(stored) ? O.some(fresh) : await run(store.getKey())
    }
    if (O.isNone(wrapped)) return raise(snapshotNotFound('snapshot-key'))
    const rk = await unwrapRepositoryKey(bkk, wrapped.value)
    if (E.isLeft(rk)) return raise(rk.left)
    const keys = await prepareKeys(rk.right)
    return { store, keys, cdc: makeCdc(keys.gear, SNAPSHOT_CHUNKER) }
  })

/** Verified plaintexts of `ids` (any count), in order, fetched in batches; memory is one object at a time. */
export async function* readVerified(
  repo: Repository,
  type: ObjectType,
  ids: ReadonlyArray<ObjectId>,
): AsyncGenerator<Readonly<{ id: ObjectId; plaintext: Uint8Array }>, void, undefined> {
  for (let i = 0; i < ids.length; i += MAX_READ_IDS) {
    const batch = ids.slice(i, i + MAX_READ_IDS)
    const objects = await run(repo.store.readObjects(batch))
    let n = 0
    for await (const o of objects) {
      if (o.id !== batch[n]) raise(invalidEncoding('pack', 'read-order'))
      const plaintext = await openObject(repo.keys, type, o.id, o.bytes)
      yield { id: o.id, plaintext: E.isRight(plaintext) ? plaintext.right : raise(plaintext.left) }
      n++
    }
    if (n !== batch.length) raise(invalidEncoding('pack', 'read-short'))
  }
}

const readTree = async (repo: Repository, id: ObjectId): Promise<Tree> => {
  for await (const { plaintext } of readVerified(repo, 'tree', [id])) {
    const tree = decodeTree(plaintext)
    return E.isRight(tree) ? tree.right : raise(tree.left)
  }
  return raise(invalidEncoding('tree', 'absent'))
}

/**
 * Trees read ahead. Every walk (backup against a parent, restore, ls, diff, check) reads a folder's sub-folders
 * next, and one request per folder costs a round trip each: so when a tree is loaded, its sub-folders' trees are
 * fetched in one request, in the background, and when they arrive the level below them too. Each is handed out
 * once; a read-ahead that failed is read again alone, so errors name the tree. At most READ_AHEAD_TREES wait at a
 * time (memory); past that, reading ahead waits until the walk has taken some.
 */
const READ_AHEAD_TREES = 1024
const readAhead = new WeakMap<Repository, Map<ObjectId, Promise<Tree | undefined>>>()

const readChildrenAhead = (repo: Repository, trees: ReadonlyArray<Tree>): void => {
  const waiting = readAhead.get(repo) ?? new Map<ObjectId, Promise<Tree | undefined>>()
  readAhead.set(repo, waiting)
  const ids = [...new Set(trees.flat().flatMap((e) => (e.type === 'dir' ? [e.subtree] : [])))]
    .filter((id) => !waiting.has(id))
    .slice(0, Math.min(MAX_READ_IDS, READ_AHEAD_TREES - waiting.size))
  if (ids.length === 0) return
  const batch = (async () => {
    const found = new Map<ObjectId, Tree>()
    for await (const { id, plaintext } of readVerified(repo, 'tree', ids)) {
      const decoded = decodeTree(plaintext)
      if (E.isRight(decoded)) found.set(id, decoded.right)
    }
    readChildrenAhead(repo, [...found.values()]) // the next level, in one request too
    return found
  })()
  for (const id of ids)
    waiting.set(
      id,
      batch.then(
        (found) => found.get(id),
        () => undefined,
      ),
    )
}

/** Reads and decodes one tree (read ahead when its parent folder was loaded; see above). */
export const loadTree = async (repo: Repository, id: ObjectId): Promise<Tree> => {
  const waiting = readAhead.get(repo)
  const ahead = waiting?.get(id)
  waiting?.delete(id)
  const tree = (await ahead) ?? (await readTree(repo, id))
  readChildrenAhead(repo, [tree])
  return tree
}

/** Every snapshot record, newest first (optionally one series). */
export const allSnapshots = async (
  repo: Repository,
  seriesId?: string,
): Promise<ReadonlyArray<SnapshotRecord>> => {
  const out: SnapshotRecord[] = []
  let cursor: string | undefined
  do {
    const page = await run(
      repo.store.listSnapshots({
        limit: 200,
        ...(seriesId ? { seriesId } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    )
    out.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return out
}

/** A snapshot by full id or unique prefix (as the CLI accepts them). */
export const findSnapshot = async (repo: Repository, idOrPrefix: string): Promise<SnapshotRecord> => {
  const matches = (await allSnapshots(repo)).filter((s) => s.snapshotId.startsWith(idOrPrefix.toLowerCase()))
  if (matches.length === 1) return matches[0]!
  return raise(snapshotNotFound(idOrPrefix, matches.length > 1))
}

export const snapshotMetadata = async (
  repo: Repository,
  record: SnapshotRecord,
): Promise<SnapshotMetadata> => {
  const m = await decryptSnapshotMetadata(repo.keys.metadataKey, record.snapshotId, record.encryptedMetadata)
  return E.isRight(m) ? m.right : raise(m.left)
}

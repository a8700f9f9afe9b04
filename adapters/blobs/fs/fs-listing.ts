/**
 * Knows how to list the blobs of BLOB_DIR for garbage collection: in (accountId, blobId) order, resuming after
 * a given blob, by walking the sorted shard folders (fs-layout.ts) from that blob on. A blob's age is its
 * file's modification time, the moment its write ended. A write's temporary file left by a crash (or one that
 * stopped making progress) is listed under its blob id once it is older than the cutoff, so the collector,
 * finding no record that names that id, deletes it with the blob's other files.
 */
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { BlobRef } from '../../../application/ports/blob-store'
import type { AccountId, BlobId } from '../../../domain/ids'
import { hasCode } from './fs-errors'
import { accountFolder, fileKind, isIdName, isShardName } from './fs-layout'

/** The folder's names in byte order (the ids' order); none for a folder that is gone. */
const sortedNames = async (folder: string): Promise<string[]> => {
  try {
    return (await readdir(folder)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  } catch (e) {
    if (hasCode(e, 'ENOENT')) return []
    throw e
  }
}

/** Modification time in ms, or undefined for a file removed meanwhile. */
const modifiedAt = async (file: string): Promise<number | undefined> => {
  try {
    return (await stat(file)).mtimeMs
  } catch (e) {
    if (hasCode(e, 'ENOENT')) return undefined
    throw e
  }
}

/** Account ids at or after `from` (every one when undefined), in order. */
async function* accountsFrom(root: string, from: string | undefined): AsyncGenerator<AccountId> {
  for (const shard of await sortedNames(root)) {
    if (!isShardName(shard) || (from !== undefined && shard < from.slice(0, 2))) continue
    for (const name of await sortedNames(path.join(root, shard))) {
      if (!isIdName(name) || !name.startsWith(shard) || (from !== undefined && name < from)) continue
      yield name as AccountId
    }
  }
}

/** Whether a blob folder entry group is old enough: its blob's file if any, else its newest temporary file. */
const storedBefore = async (
  folder: string,
  files: ReadonlyArray<string>,
  blobId: string,
  cutoffMs: number,
): Promise<boolean> => {
  const named = files.includes(blobId) ? [blobId] : files
  const times = await Promise.all(named.map((f) => modifiedAt(path.join(folder, f))))
  const known = times.filter((t): t is number => t !== undefined)
  return known.length > 0 && Math.max(...known) <= cutoffMs
}

/** The blob ids of one account after `after` (every one when undefined) whose files are old enough, in order. */
async function* blobsOf(
  root: string,
  accountId: AccountId,
  after: string | undefined,
  cutoffMs: number,
): AsyncGenerator<BlobId> {
  const account = accountFolder(root, accountId)
  for (const shard of await sortedNames(account)) {
    if (!isShardName(shard) || (after !== undefined && shard < after.slice(0, 2))) continue
    const folder = path.join(account, shard)
    const files = new Map<string, string[]>()
    for (const name of await sortedNames(folder)) {
      const kind = fileKind(name)
      if (kind === undefined || !kind.blobId.startsWith(shard)) continue
      if (after !== undefined && kind.blobId <= after) continue
      files.set(kind.blobId, [...(files.get(kind.blobId) ?? []), name])
    }
    for (const blobId of [...files.keys()].sort())
      if (await storedBefore(folder, files.get(blobId)!, blobId, cutoffMs)) yield blobId as BlobId
  }
}

/** At most `limit` blobs stored at or before `cutoff`, strictly after `after`, in (accountId, blobId) order. */
export const listBlobFiles = async (
  root: string,
  cutoff: Date,
  after: BlobRef | undefined,
  limit: number,
): Promise<ReadonlyArray<BlobRef>> => {
  const found: BlobRef[] = []
  if (limit <= 0) return found
  for await (const accountId of accountsFrom(root, after?.accountId)) {
    const resume = accountId === after?.accountId ? after.blobId : undefined
    for await (const blobId of blobsOf(root, accountId, resume, cutoff.getTime())) {
      found.push({ accountId, blobId })
      if (found.length === limit) return found
    }
  }
  return found
}

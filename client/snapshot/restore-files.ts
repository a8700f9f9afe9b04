/**
 * Knows how a restore writes files: every chunk read in batches across files, verified (AEAD and id) before it
 * is written, files written in order with memory of one object at a time. A file already in the target with the
 * snapshot's size whose chunks recompute to the snapshot's ids is complete and is not written again: that is
 * what makes an interrupted restore resumable.
 * SECURITY: files are opened with O_NOFOLLOW after any symlink in their place is removed, so a symlink left in
 * the target cannot send a restored file's bytes elsewhere.
 */
import { constants } from 'node:fs'
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises'
import { chunkReader } from './chunk-reader'
import { fsFailure, raise } from './errors'
import { computeObjectId, type ObjectId } from './object'
import { readVerified, type Repository } from './repository'
import type { FileEntry } from './tree'

export type FileJob = Readonly<{ path: Buffer; entry: FileEntry }>
export type FileCounts = { filesRestored: number; filesSkipped: number; bytesWritten: number }

/**
 * Seconds for utimes. A double cannot hold nanoseconds since 1970, and libuv truncates the fraction, so the
 * time is rounded to microseconds and nudged half a microsecond up: the restored time is exact to the µs.
 */
export const utimesSeconds = (ns: bigint): number => Number(ns / 1000n) / 1e6 + 5e-7

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW

/** True when `path` already holds exactly the entry's content (checked by chunk ids, not trusted by size). */
const alreadyComplete = async (repo: Repository, job: FileJob): Promise<boolean> => {
  const st = await lstat(job.path).catch(() => undefined)
  if (st === undefined || !st.isFile() || st.size !== job.entry.size) return false
  const handle = await open(job.path, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    let index = 0
    const read = async (buf: Uint8Array, offset: number, length: number) =>
      (await handle.read(buf, offset, length)).bytesRead
    for await (const chunk of chunkReader(repo.cdc).chunks(read)) {
      if ((await computeObjectId(repo.keys, 'data', chunk)) !== job.entry.content[index++]) return false
    }
    return index === job.entry.content.length
  } finally {
    await handle.close()
  }
}

const finishFile = async (handle: FileHandle, entry: FileEntry): Promise<void> => {
  await handle.chmod(entry.mode)
  const mtime = utimesSeconds(entry.mtimeNs)
  await handle.utimes(mtime, mtime)
}

const openForWrite = async (path: Buffer): Promise<FileHandle> => {
  const st = await lstat(path).catch(() => undefined)
  if (st?.isSymbolicLink() === true) await unlink(path)
  return open(path, WRITE_FLAGS, 0o600).catch((e: unknown) => raise(fsFailure('open', path.toString(), e)))
}

/** Writes every job's file (skipping complete ones); mode and mtime are set once a file's last byte is written. */
export const restoreFiles = async (
  repo: Repository,
  jobs: ReadonlyArray<FileJob>,
  counts: FileCounts,
  options: Readonly<{ verifyExisting: boolean; onFile?: (bytes: number) => void }>,
): Promise<void> => {
  const toWrite: FileJob[] = []
  for (const job of jobs) {
    if (options.verifyExisting && (await alreadyComplete(repo, job))) {
      const handle = await open(job.path, constants.O_RDONLY | constants.O_NOFOLLOW)
      await finishFile(handle, job.entry).finally(() => handle.close())
      counts.filesSkipped++
      options.onFile?.(job.entry.size)
    } else toWrite.push(job)
  }
  const ids: ObjectId[] = toWrite.flatMap((j) => j.entry.content)
  const chunks = readVerified(repo, 'data', ids)[Symbol.asyncIterator]()
  for (const job of toWrite) {
    const handle = await openForWrite(job.path)
    try {
      for (let i = 0; i < job.entry.content.length; i++) {
        const next = await chunks.next()
        if (next.done === true) return raise(fsFailure('read', job.path.toString(), { code: 'ESHORT' }))
        await handle.write(next.value.plaintext)
        counts.bytesWritten += next.value.plaintext.length
      }
      await finishFile(handle, job.entry)
    } finally {
      await handle.close()
    }
    counts.filesRestored++
    options.onFile?.(job.entry.size)
  }
}

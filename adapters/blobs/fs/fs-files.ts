/**
 * Knows how to put one blob into a file so that it is either wholly there or not there at all, and how to read
 * it back by range. A write goes to a temporary file in the blob's own folder (same filesystem), is fsynced,
 * renamed onto the blob's name and the folder fsynced: after a crash the name holds the complete blob or
 * nothing, and a reader never opens a partial one. Memory stays near one batch (256 KiB) per write and one read
 * buffer per read, whatever the blob's size.
 */
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import type { ByteRange } from '../../../application/ports/blob-store'
import { scrubbed } from './fs-errors'

/** Bytes gathered before one writev: few system calls per blob, bounded memory per upload. */
const batchBytes = 256 * 1024

/** Bytes per read (and per chunk handed to the consumer). */
export const readChunkBytes = 256 * 1024

/** Thrown for a failure of the input stream (the client, a size limit), as opposed to the filesystem's. */
export class InputFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('the input stream failed')
  }
}

/** Makes the folder's entries (a rename, a new subfolder) durable. */
export const fsyncFolder = async (folder: string): Promise<void> => {
  const handle = await open(folder, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Creates `folder` and any missing parent, then fsyncs every folder that gained an entry, so a blob renamed
 * into a new folder survives a crash with the folder itself.
 */
export const ensureFolder = async (folder: string): Promise<void> => {
  const created = await mkdir(folder, { recursive: true, mode: 0o700 })
  if (created === undefined) return
  for (let dir = path.dirname(folder); ; dir = path.dirname(dir)) {
    await fsyncFolder(dir)
    if (dir === path.dirname(created) || dir === path.dirname(dir)) return
  }
}

/** Writes every byte of `pieces` at the file's position; the kernel may take fewer than asked. */
const writeAll = async (handle: FileHandle, pieces: Uint8Array[]): Promise<void> => {
  let rest = pieces
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest)
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length
    if (bytesWritten > 0) rest = [rest[0]!.subarray(bytesWritten), ...rest.slice(1)]
  }
}

/** Copies the input into `handle` in batches; returns the byte count. Input failures come as InputFailure. */
const pump = async (handle: FileHandle, chunks: AsyncIterable<Uint8Array>): Promise<number> => {
  const input = chunks[Symbol.asyncIterator]()
  let size = 0
  let batch: Uint8Array[] = []
  let batched = 0
  try {
    for (;;) {
      const next = await input.next().catch((e: unknown) => {
        throw new InputFailure(e)
      })
      if (next.done === true) break
      if (next.value.length === 0) continue
      batch.push(next.value)
      batched += next.value.length
      size += next.value.length
      if (batched < batchBytes) continue
      await writeAll(handle, batch)
      batch = []
      batched = 0
    }
    await writeAll(handle, batch)
    return size
  } catch (e) {
    // Lets the producer (an HTTP request) release what it holds; an input that threw is already done.
    if (!(e instanceof InputFailure)) await input.return?.().catch(() => undefined)
    throw e
  }
}

/**
 * Streams `chunks` into `file` through `temporary` (both in one folder) and returns the byte count. On any
 * failure (the input's included) nothing remains: the temporary file is removed, and so is `file` if the
 * failure came after the rename. A temporary file removed meanwhile (the blob deleted or collected while
 * arriving) makes the rename fail, so such a write never reports success.
 */
export const writeFileAtomically = async (
  file: string,
  temporary: string,
  chunks: AsyncIterable<Uint8Array>,
): Promise<number> => {
  const folder = path.dirname(file)
  let handle: FileHandle | undefined
  let renamed = false
  try {
    await ensureFolder(folder)
    handle = await open(temporary, 'wx', 0o600)
    const size = await pump(handle, chunks)
    await handle.datasync()
    await handle.close()
    handle = undefined
    await rename(temporary, file)
    renamed = true
    await fsyncFolder(folder)
    return size
  } catch (e) {
    await handle?.close().catch(() => undefined)
    await unlink(renamed ? file : temporary).catch(() => undefined)
    throw e instanceof InputFailure ? e : scrubbed(e)
  }
}

/** The bytes of `file` (or `range` of them), read as the consumer pulls; fails if the file does not exist. */
export async function* readFileRange(file: string, range: ByteRange | undefined): AsyncGenerator<Uint8Array> {
  const handle = await open(file, 'r').catch((e: unknown) => {
    throw scrubbed(e)
  })
  try {
    const { size } = await handle.stat()
    const end = Math.min(range?.end ?? size - 1, size - 1)
    for (let position = range?.start ?? 0; position <= end;) {
      const length = Math.min(readChunkBytes, end - position + 1)
      const buffer = Buffer.allocUnsafe(length)
      const { bytesRead } = await handle.read(buffer, 0, length, position)
      if (bytesRead === 0) throw new Error('blob file ended before its size')
      position += bytesRead
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead)
    }
  } catch (e) {
    throw scrubbed(e)
  } finally {
    await handle.close()
  }
}

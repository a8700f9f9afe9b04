/**
 * Knows how filesystem failures leave the fs blob store: as an error naming the system call and its code only,
 * and as Unavailable('blobs'), with `full` when the disk or the volume's quota has no room left.
 * SECURITY: Node's own messages quote the path, which names the account and the blob; logs get neither.
 */
import { storageFull, unavailable, type Unavailable } from '../../../application/errors'

/** A filesystem failure without its path: `ENOSPC during write`. */
export class BlobFileError extends Error {
  override readonly name = 'BlobFileError'
  constructor(
    readonly code: string,
    readonly syscall: string,
  ) {
    super(`${code} during ${syscall}`)
  }
}

const errnoOf = (e: unknown): { code?: unknown; syscall?: unknown } =>
  typeof e === 'object' && e !== null ? e : {}

/** True for a Node filesystem error with this code (ENOENT, EEXIST…), scrubbed or not. */
export const hasCode = (e: unknown, code: string): boolean => errnoOf(e).code === code

/** Node's filesystem errors become BlobFileError; anything else (the input stream's own error) is kept. */
export const scrubbed = (e: unknown): unknown => {
  const { code, syscall } = errnoOf(e)
  if (e instanceof BlobFileError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e
  return new BlobFileError(code, typeof syscall === 'string' ? syscall : 'fs')
}

/** No space on the device, or the user's or project's quota on it is spent. */
const noRoom = new Set(['ENOSPC', 'EDQUOT'])

export const isNoRoom = (e: unknown): boolean => noRoom.has(String(errnoOf(e).code))

/** The Left a failed operation returns: `full` for no room, plain Unavailable otherwise. */
export const blobFailure = (e: unknown): Unavailable =>
  isNoRoom(e) ? storageFull('blobs')(scrubbed(e)) : unavailable('blobs')(scrubbed(e))

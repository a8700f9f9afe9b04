/**
 * Knows how to keep blobs as files in one folder (BLOB_DIR): one file per blob, laid out by fs-layout.ts,
 * written atomically (fs-files.ts), read by range straight from the file, listed for garbage collection by
 * fs-listing.ts. A full disk (ENOSPC, EDQUOT) is Unavailable with `full`, and leaves nothing behind.
 * One folder serves one instance, or several that share it (blob-folder-registry.ts enforces that).
 * SECURITY: files hold ciphertext only, mode 0600 in folders of mode 0700; errors carry no path (fs-errors.ts).
 */
import { randomBytes } from 'node:crypto'
import { open, readdir, rm, unlink } from 'node:fs/promises'
import path from 'node:path'
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { BlobStore } from '../../../application/ports/blob-store'
import type { ReadinessProbe } from '../../../application/ports/readiness-probe'
import type { AccountId, BlobId } from '../../../domain/ids'
import { blobFailure, hasCode, isNoRoom } from './fs-errors'
import { InputFailure, readFileRange, writeFileAtomically } from './fs-files'
import { accountFolder, blobFile, blobFolder, isTemporaryOf, temporaryName } from './fs-layout'
import { listBlobFiles } from './fs-listing'

const attempt = <A>(run: () => Promise<A>): TE.TaskEither<Unavailable, A> => TE.tryCatch(run, blobFailure)

const ignoreMissing = (e: unknown): void => {
  if (!hasCode(e, 'ENOENT')) throw e
}

/** Removes the blob's file and any temporary file of a write of it (finished, crashed or still running). */
const removeBlob = async (root: string, accountId: AccountId, blobId: BlobId): Promise<void> => {
  await unlink(blobFile(root, accountId, blobId)).catch(ignoreMissing)
  const folder = blobFolder(root, accountId, blobId)
  const names = await readdir(folder).catch((e: unknown) => (ignoreMissing(e), []))
  for (const name of names)
    if (isTemporaryOf(name, blobId)) await unlink(path.join(folder, name)).catch(ignoreMissing)
}

const write =
  (root: string) =>
  (accountId: AccountId, blobId: BlobId, chunks: AsyncIterable<Uint8Array>) =>
  async (): Promise<E.Either<Unavailable, { readonly sizeBytes: number }>> => {
    const folder = blobFolder(root, accountId, blobId)
    try {
      const sizeBytes = await writeFileAtomically(
        blobFile(root, accountId, blobId),
        path.join(folder, temporaryName(blobId)),
        chunks,
      )
      return E.right({ sizeBytes })
    } catch (e) {
      return E.left(e instanceof InputFailure ? unavailable('blobs')(e.cause) : blobFailure(e))
    }
  }

export const fsBlobStore = (root: string): BlobStore => ({
  write: write(root),
  read: (accountId, blobId, range) => ({
    [Symbol.asyncIterator]: () => readFileRange(blobFile(root, accountId, blobId), range),
  }),
  delete: (accountId, blobId) => attempt(() => removeBlob(root, accountId, blobId)),
  deleteAccount: (accountId) =>
    attempt(() => rm(accountFolder(root, accountId), { recursive: true, force: true })),
  listOlderThan: (cutoff, after, limit) =>
    attempt(() => listBlobFiles(root, cutoff, O.toUndefined(after), limit)),
})

/** A health check must answer quickly: a folder that hangs (a lost network mount) counts as failing. */
const probeTimeoutMs = 3_000

/**
 * Creates and removes an empty file: the folder exists, is writable and the filesystem answers. A disk with no
 * room left still counts as ready: downloads and deletions (which free room) work, and each upload answers 507.
 */
const touch = async (root: string): Promise<void> => {
  const file = path.join(root, `.probe-${randomBytes(6).toString('hex')}`)
  try {
    const handle = await open(file, 'wx', 0o600)
    await handle.close()
    await unlink(file)
  } catch (e) {
    if (!isNoRoom(e)) throw e
  }
}

const withTimeout = <A>(work: Promise<A>, ms: number): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    work.then(resolve, reject).finally(() => clearTimeout(timer))
  })

/**
 * The `blobs` check of /api/health: the folder takes a new file. `problem` reports what else makes the folder
 * unusable (another instance on another folder, found by the registry's heartbeat), or null.
 */
export const fsReadinessProbe = (root: string, problem: () => Error | null = () => null): ReadinessProbe => ({
  name: 'blobs',
  check: () =>
    pipe(
      attempt(() => withTimeout(touch(root), probeTimeoutMs)),
      TE.flatMap(() => {
        const found = problem()
        return found === null ? TE.right(undefined) : TE.left(unavailable('blobs')(found))
      }),
    ),
})

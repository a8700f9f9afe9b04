/**
 * Knows the blob part of a backup through the BlobStore port only, so any store slots in: `postgres` keeps
 * blobs in the database, whose copy already holds them; any other store (S3, a blob folder) is listed and
 * copied to blobs/<accountId>/<blobId>, and written back through the same port on restore.
 * SECURITY: blobs are ciphertext; they are copied as bytes, never parsed or logged.
 */
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename } from 'node:fs/promises'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { BlobRef, BlobStore } from '../../../application/ports/blob-store'
import { s3BlobStore } from '../../blobs/s3/s3-blob-store'
import { existingFolderId, openBlobFolder } from '../../blobs/fs/blob-folder'
import { fsBlobStore } from '../../blobs/fs/fs-blob-store'
import { blobFolderPath, openS3BlobStore } from '../blob-storage'
import { writeBlobStoreRecord } from '../blob-store-record'
import type { Config } from '../config'
import { AdminError, ExitCode } from '../../admin-cli/output'

export type BlobArchive = Readonly<{
  /** BLOB_STORE. */
  store: string
  /** Bucket and endpoint host, for the manifest and messages (never credentials). */
  source: string
  /** The store to copy through, or null when the blobs live in the database. */
  blobs: BlobStore | null
  close: () => Promise<void>
}>

const sourceOf = (s3: NonNullable<Config['s3']>): string =>
  `bucket ${s3.bucket} at ${s3.endpoint === null ? `AWS S3 (${s3.region})` : new URL(s3.endpoint).host}`

const inDatabase: BlobArchive = {
  store: 'postgres',
  source: 'the database',
  blobs: null,
  close: () => Promise.resolve(),
}

/**
 * The blob store a backup copies from, or a restore writes to. S3 is opened as the server opens it (the bucket
 * must answer first). A blob folder is copied file by file through the fs store; blobs still in PostgreSQL
 * (a folder not yet migrated) travel in the database copy. A restore recreates the folder (and, for an
 * embedded DATA_DIR, its record) when the backup had one.
 */
export const openBlobArchive = async (
  config: Config,
  restoring: Readonly<{ store: string }> | null = null,
): Promise<BlobArchive> => {
  if (config.blobStore === 's3' && config.s3 !== null) {
    const opened = await openS3BlobStore({ ...config, s3: config.s3 })
    if (opened.choice.kind !== 's3') throw new Error('an S3 configuration opened another store')
    const { client, bucket } = opened.choice
    return {
      store: 's3',
      source: sourceOf(config.s3),
      blobs: s3BlobStore({ client, bucket }),
      close: opened.close,
    }
  }
  const root = blobFolderPath(config)
  if (root === null) return inDatabase
  if (restoring !== null) {
    if (restoring.store !== 'fs') return inDatabase
    const folder = await openBlobFolder(root)
    if (config.databaseUrl === null) await writeBlobStoreRecord(config.dataDir, 'fs')
    return {
      store: 'fs',
      source: `folder ${folder.root}`,
      blobs: fsBlobStore(folder.root),
      close: () => Promise.resolve(),
    }
  }
  if ((await existingFolderId(root)) === null) return inDatabase
  return { store: 'fs', source: `folder ${root}`, blobs: fsBlobStore(root), close: () => Promise.resolve() }
}

/** Every blob the store lists, whatever its age. */
const everything = new Date(8_640_000_000_000_000)
const pageSize = 500
const concurrency = 4

const unwrap = <A>(result: E.Either<{ cause: unknown }, A>, what: string): A => {
  if (E.isRight(result)) return result.right
  const cause = result.left.cause instanceof Error ? result.left.cause.message : 'unavailable'
  throw new AdminError(ExitCode.unavailable, `${what}: ${cause}`)
}

/** Runs `work` on each item, `concurrency` at a time. */
export const eachLimited = async <A>(items: ReadonlyArray<A>, work: (item: A) => Promise<void>) => {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}

export const blobPath = (folder: string, ref: BlobRef): string => path.join(folder, ref.accountId, ref.blobId)

/** Streams one blob into its file (written aside, then renamed: a file present is a file complete). */
const saveBlob = async (store: BlobStore, folder: string, ref: BlobRef): Promise<number> => {
  const file = blobPath(folder, ref)
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const out = createWriteStream(`${file}.partial`, { mode: 0o600 })
  let bytes = 0
  try {
    for await (const chunk of store.read(ref.accountId, ref.blobId, undefined)) {
      bytes += chunk.length
      if (!out.write(chunk)) await once(out, 'drain')
    }
  } finally {
    out.end()
    await finished(out)
  }
  await rename(`${file}.partial`, file)
  return bytes
}

/** Lists the store page by page and copies every blob; the counts go to the manifest. */
export const copyBlobsOut = async (store: BlobStore, folder: string) => {
  let after: O.Option<BlobRef> = O.none
  let objects = 0
  let bytes = 0
  for (;;) {
    const page = unwrap(
      await store.listOlderThan(everything, after, pageSize)(),
      'listing the blob store failed',
    )
    await eachLimited(page, async (ref) => {
      bytes += await saveBlob(store, folder, ref)
      objects++
    })
    if (page.length < pageSize) return { objects, bytes }
    after = O.some(page[page.length - 1]!)
  }
}

/** True when the store holds no blob: a restore writes only into an empty one. */
export const storeIsEmpty = async (store: BlobStore): Promise<boolean> =>
  unwrap(await store.listOlderThan(everything, O.none, 1)(), 'listing the blob store failed').length === 0

/** Writes the backed-up file of `ref` into the store; Left when the file is missing or the store fails. */
export const putBlob = async (store: BlobStore, folder: string, ref: BlobRef) => {
  const source = createReadStream(blobPath(folder, ref))
  const opened = await once(source, 'open').then(
    () => true,
    () => false,
  )
  if (!opened) return E.left('missing' as const)
  const written = await store.write(ref.accountId, ref.blobId, source as AsyncIterable<Uint8Array>)()
  return E.isRight(written) ? E.right(written.right.sizeBytes) : E.left('unavailable' as const)
}

/**
 * Knows which store takes new blobs for an embedded DATA_DIR when BLOB_STORE is unset: the choice made once,
 * kept in DATA_DIR/blob-store (`fs` or `postgres`), so a folder keeps what it has across restarts and upgrades
 * until `zkeb-admin blobs migrate` changes it. Written to a temporary file, fsynced and renamed: a crash leaves
 * the old choice or the new one, never an empty file.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import { StartupError } from './startup-error'

export type LocalBlobStore = 'fs' | 'postgres'

const recordName = 'blob-store'

const isLocalBlobStore = (value: string): value is LocalBlobStore => value === 'fs' || value === 'postgres'

/** The recorded choice, or null when none was made yet. */
export const readBlobStoreRecord = async (dataDir: string): Promise<LocalBlobStore | null> => {
  const file = path.join(dataDir, recordName)
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null
    throw e
  })
  if (text === null) return null
  const value = text.trim()
  if (isLocalBlobStore(value)) return value
  throw new StartupError(`${file} must hold fs or postgres (or be removed to choose again)`)
}

export const writeBlobStoreRecord = async (dataDir: string, store: LocalBlobStore): Promise<void> => {
  const file = path.join(dataDir, recordName)
  const temporary = `${file}.${process.pid}.tmp`
  const handle = await open(temporary, 'w', 0o644)
  try {
    await handle.writeFile(`${store}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, file).catch(async (e: unknown) => {
    await unlink(temporary).catch(() => undefined)
    throw e
  })
  const folder = await open(dataDir, 'r')
  await folder.sync().finally(() => folder.close())
}

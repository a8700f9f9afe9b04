/**
 * Knows how to open BLOB_DIR: the folder (mode 0700) and its identity, a random UUID kept in
 * `.zkeb-folder-id` and created with the folder. Two instances agree on a folder only if they see the same
 * identity: one shared volume does, two containers' own disks (or an unmounted volume's empty mount point) do
 * not, which is what the instance registry checks.
 */
import { randomUUID } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import path from 'node:path'
import { hasCode } from './fs-errors'
import { ensureFolder, fsyncFolder } from './fs-files'

export type BlobFolder = Readonly<{ root: string; folderId: string }>

const identityFile = '.zkeb-folder-id'
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const readIdentity = async (file: string): Promise<string | null> => {
  try {
    const id = (await readFile(file, 'utf8')).trim()
    if (!uuid.test(id)) throw new Error(`${file} does not hold a folder identity`)
    return id
  } catch (e) {
    if (hasCode(e, 'ENOENT')) return null
    throw e
  }
}

/** Writes a new identity unless another process wrote one first; returns the identity that won. */
const createIdentity = async (root: string, file: string): Promise<string> => {
  const id = randomUUID()
  try {
    const handle = await open(file, 'wx', 0o600)
    try {
      await handle.writeFile(`${id}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fsyncFolder(root)
    return id
  } catch (e) {
    if (!hasCode(e, 'EEXIST')) throw e
    return (await readIdentity(file)) ?? id
  }
}

/** Creates the folder and its identity if missing; reads the identity otherwise. */
export const openBlobFolder = async (root: string): Promise<BlobFolder> => {
  const resolved = path.resolve(root)
  await ensureFolder(resolved)
  const file = path.join(resolved, identityFile)
  const folderId = (await readIdentity(file)) ?? (await createIdentity(resolved, file))
  return { root: resolved, folderId }
}

/** The folder's identity without creating anything: null when the folder or its identity is missing. */
export const existingFolderId = (root: string): Promise<string | null> =>
  readIdentity(path.join(path.resolve(root), identityFile))

/**
 * Knows the browser's side of files: a File read as a byte source the SDK can encrypt (twice: push hashes,
 * then sends), and a decrypted download handed to the user only once every byte has been verified.
 */
import * as E from 'fp-ts/Either'
import { isZkebError, pull, type BackupView, type SdkError, type Session, type TransferProgress } from './sdk'

export class Cancelled extends Error {
  constructor() {
    super('cancelled')
    this.name = 'Cancelled'
  }
}

/** The file's bytes as they are read from disk; throws Cancelled once `signal` is aborted. */
export async function* fileChunks(file: Blob, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader()
  try {
    for (;;) {
      if (signal.aborted) throw new Cancelled()
      const next = await reader.read()
      if (next.done) return
      yield next.value
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}

/** Offers `blob` as a download named `name` (a same-origin blob: URL, revoked once the click is handled). */
export const offerFile = (blob: Blob, name: string): void => {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** The name a restored file gets: its own, or one made from the backup id when the name does not open. */
export const fileNameOf = (backup: Pick<BackupView, 'backupId' | 'metadata'>): string =>
  backup.metadata?.name ?? `backup-${backup.backupId}.bin`

/**
 * Downloads, verifies and decrypts a backup, and offers the plaintext only after the last segment and the
 * whole-file hash checked out: a tampered or cut download yields ContentCorrupt and nothing is offered.
 * The browser keeps the pieces in a Blob (spilled to disk when large) until then.
 */
export const restoreToFile = async (
  session: Session,
  backup: BackupView,
  onProgress: (progress: TransferProgress) => void,
): Promise<E.Either<SdkError, Blob>> => {
  const pulled = await pull(session, backup.backupId, onProgress)
  if (E.isLeft(pulled)) return pulled
  const parts: BlobPart[] = []
  try {
    for await (const chunk of pulled.right.content) parts.push(chunk as Uint8Array<ArrayBuffer>)
  } catch (e) {
    if (isZkebError(e)) return E.left(e.error)
    throw e
  }
  const type = pulled.right.metadata?.type ?? ''
  return E.right(new Blob(parts, { type: type === '' ? 'application/octet-stream' : type }))
}

/** The part of the File System Access API used here (Chromium): a file written through a swap file. */
export type SaveTarget = Readonly<{
  createWritable: () => Promise<{
    write: (chunk: Uint8Array<ArrayBuffer>) => Promise<void>
    close: () => Promise<void>
    abort: () => Promise<void>
  }>
}>
type SavePicker = (options: { suggestedName: string }) => Promise<SaveTarget>

const savePicker = (): SavePicker | undefined =>
  (window as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker

/** True where the browser can write a download straight to disk as it arrives. */
export const canStreamToDisk = (): boolean => savePicker() !== undefined

/** Asks where to save (must run in the click's user activation, before any other await). */
export const pickSaveTarget = (name: string): Promise<SaveTarget> => {
  const picker = savePicker()
  if (picker === undefined) return Promise.reject(new Error('no save picker'))
  return picker.call(window, { suggestedName: name })
}

/**
 * Streams the decrypted backup into `target` as it arrives. The browser writes to a swap file and puts
 * the file in place only on close(), which runs after the last check passed; any failure aborts, and
 * nothing appears on disk.
 */
export const restoreToDisk = async (
  session: Session,
  backup: BackupView,
  target: SaveTarget,
  onProgress: (progress: TransferProgress) => void,
): Promise<E.Either<SdkError, void>> => {
  const pulled = await pull(session, backup.backupId, onProgress)
  if (E.isLeft(pulled)) return pulled
  const writable = await target.createWritable()
  try {
    for await (const chunk of pulled.right.content) await writable.write(chunk as Uint8Array<ArrayBuffer>)
  } catch (e) {
    await writable.abort()
    if (isZkebError(e)) return E.left(e.error)
    throw e
  }
  await writable.close()
  return E.right(undefined)
}

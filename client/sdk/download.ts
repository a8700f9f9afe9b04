/**
 * Knows how a backup's content is fetched and opened: its record fetched and its upload signature verified
 * against the uploading device's public key, the DEK unwrapped with the BKK, and the content streamed through
 * segment decryption while the ciphertext is hashed and counted. Also opens metadata with the current MEK.
 * A record whose signature does not verify is refused (BadSignature) before any content is fetched.
 * SECURITY: decrypted chunks are authentic as they arrive, but the content is complete only when iteration
 * ends without throwing (a cut, extended or swapped stream throws ZkebError(ContentCorrupt) at the point it is
 * noticed). Write to a temporary place and keep it only then.
 */
import * as E from 'fp-ts/Either'
import {
  decryptMetadata,
  decryptSegments,
  isStreamDecryptionError,
  unwrapDek,
  type BackupMetadata,
  type Dek,
} from '../crypto'
import type { BackupId } from '../../domain/ids'
import { fromB64, streamHash } from './encoding'
import {
  contentCorrupt,
  contentCorruptFrom,
  fail,
  isZkebError,
  keysUnreadable,
  networkError,
  ZkebError,
} from './errors'
import type { TransferProgress } from './push'
import type { Session } from './session'
import { verifyRecordSignature } from './upload-signatures'
import type { BackupRecord } from './wire'

/** Opens a backup's metadata; null when it does not open with this session's MEK. */
export const openMetadata = async (
  session: Session,
  record: BackupRecord,
): Promise<BackupMetadata | null> => {
  const opened = await decryptMetadata(
    session.keys.mek,
    record.backupId as BackupId,
    fromB64(record.encryptedMetadata, 'encryptedMetadata'),
  )
  return E.isRight(opened) ? opened.right : null
}

/** Hashes and counts the ciphertext as it passes, and refuses at its end anything but the recorded bytes. */
async function* verified(
  ciphertext: AsyncIterable<Uint8Array>,
  record: BackupRecord,
  onProgress: ((p: TransferProgress) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  const hash = streamHash()
  let bytes = 0
  try {
    for await (const chunk of ciphertext) {
      hash.update(chunk)
      bytes += chunk.length
      onProgress?.({ phase: 'download', bytes, total: record.sizeBytes })
      yield chunk
    }
  } catch (e) {
    throw isZkebError(e) ? e : new ZkebError(networkError('the download was interrupted'))
  }
  if (bytes !== record.sizeBytes) throw new ZkebError(contentCorrupt('length differs from the record'))
  if (hash.hex() !== record.sha256) throw new ZkebError(contentCorrupt('sha256 differs from the record'))
}

async function* plaintextOf(
  session: Session,
  record: BackupRecord,
  dek: Dek,
  onProgress: ((p: TransferProgress) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  const backupId = record.backupId as BackupId
  try {
    const download = await session.http.downloadBackup(backupId)
    yield* decryptSegments(dek, backupId, verified(download.body, record, onProgress))
  } catch (e) {
    throw isStreamDecryptionError(e) ? new ZkebError(contentCorruptFrom(e.error)) : e
  } finally {
    dek.fill(0)
  }
}

/** A backup's verified record and its content, which streams when iterated (metadata not opened). */
export const openBackup = async (
  session: Session,
  backupId: string,
  onProgress?: (progress: TransferProgress) => void,
): Promise<Readonly<{ record: BackupRecord; content: AsyncIterable<Uint8Array> }>> => {
  const record = await session.http.getBackup(backupId)
  await verifyRecordSignature(session, record)
  const dek = await unwrapDek(
    session.keys.bkk,
    fromB64(record.wrappedKey, 'wrappedKey'),
    record.backupId as BackupId,
  )
  if (E.isLeft(dek)) return fail(keysUnreadable('dek'))
  return { record, content: plaintextOf(session, record, dek.right, onProgress) }
}

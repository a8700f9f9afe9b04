/**
 * Knows how a backup is pulled: its record verified and its content opened (download.ts), and its metadata
 * opened with the current MEK or, for metadata written before a key rotation, with the keyring's earlier MEKs.
 * SECURITY: the content is complete only when iterating it ends without throwing; write it to a temporary
 * place and keep it only then.
 */
import type * as E from 'fp-ts/Either'
import type { BackupMetadata } from '../crypto'
import { openBackup } from './download'
import { attempt, type SdkError } from './errors'
import { openMetadataWithKeyring } from './keyring'
import type { TransferProgress } from './push'
import type { Session } from './session'
import type { BackupRecord } from './wire'

export { openMetadata } from './download'

export type PulledBackup = Readonly<{
  record: BackupRecord
  /** null when the metadata opens neither with the current MEK nor with one the keyring keeps. */
  metadata: BackupMetadata | null
  /** The plaintext; throws ZkebError (ContentCorrupt, NetworkError) if the download is not exactly right. */
  content: AsyncIterable<Uint8Array>
}>

/**
 * Fetches a backup's record (its signature verified) and metadata; the content streams when `content` is
 * iterated. BadSignature when the record is not what its device signed.
 */
export const pull = (
  session: Session,
  backupId: string,
  onProgress?: (progress: TransferProgress) => void,
): Promise<E.Either<SdkError, PulledBackup>> =>
  attempt(async () => {
    const { record, content } = await openBackup(session, backupId, onProgress)
    return { record, metadata: await openMetadataWithKeyring(session, record), content }
  })

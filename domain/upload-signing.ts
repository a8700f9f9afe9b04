/**
 * The canonical bytes a device signs for an upload (protocol-v1). Shared by client and server, so it is
 * pure and byte-exact: changing anything here breaks every client's signatures.
 */
import * as O from 'fp-ts/Option'
import { BackupId, Sha256Hex } from './ids'

export type UploadSigningFields = Readonly<{
  backupId: BackupId
  contentSha256: Sha256Hex
  sizeBytes: number
  metadataSha256: Sha256Hex
  parentId: O.Option<BackupId>
}>

export const uploadSigningString = (f: UploadSigningFields): string =>
  'zkeb/v1/upload\n' +
  `${f.backupId}\n` +
  `${f.contentSha256}\n` +
  `${f.sizeBytes}\n` +
  `${f.metadataSha256}\n` +
  `${O.isSome(f.parentId) ? f.parentId.value : ''}\n`

export const uploadSigningBytes = (f: UploadSigningFields): Uint8Array =>
  new TextEncoder().encode(uploadSigningString(f))

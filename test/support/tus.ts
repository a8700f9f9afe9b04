/** What a tus client sends for a ZKEB upload: the signed description as Upload-Metadata (api-v1 names). */
import type { AnUpload } from './test-client'

export const tusMetadataOf = (upload: AnUpload): Record<string, string> => ({
  backupId: upload.input.backupId,
  deviceId: upload.input.deviceId,
  sha256: upload.input.contentSha256,
  signature: upload.input.signature,
  wrappedKey: upload.input.wrappedKey,
  metadata: upload.input.encryptedMetadata,
  ...(upload.input.parentId === undefined ? {} : { parentId: upload.input.parentId }),
})

/** The Upload-Metadata header: `key base64(value)` pairs, comma-separated (tus creation extension). */
export const uploadMetadataHeader = (metadata: Record<string, string>): string =>
  Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',')

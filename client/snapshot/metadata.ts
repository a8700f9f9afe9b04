/**
 * Knows a snapshot's metadata: JSON under the snapshot-metadata key, AAD bound to the snapshot id, padded with
 * spaces to a multiple of 256 bytes (as protocol v1's backup metadata) so its length says little about the
 * host name, the PATHs or the tags.
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { open, seal } from '../crypto/aead'
import { fromUtf8, RandomBytes, secureRandomBytes, utf8 } from '../crypto/bytes'
import { metadataUnreadable, MetadataUnreadable, invalidEncoding, InvalidEncoding } from './errors'
import { SnapshotLabels } from './keys'

const Count = t.number
export const SnapshotSummary = t.strict({
  filesNew: Count,
  filesChanged: Count,
  filesUnchanged: Count,
  dirs: Count,
  symlinks: Count,
  skipped: Count,
  totalFiles: Count,
  totalBytes: Count,
  bytesRead: Count,
  bytesSent: Count,
  dataObjectsSent: Count,
  treeObjectsSent: Count,
  durationMs: Count,
})
export type SnapshotSummary = t.TypeOf<typeof SnapshotSummary>

export const SnapshotMetadata = t.strict({
  version: t.literal(1),
  /** The root tree's id: one entry per PATH, named by its base name. */
  tree: t.string,
  host: t.string,
  paths: t.array(t.string),
  tags: t.array(t.string),
  /** The client's clock (ISO-8601 UTC), for display; the server keeps its own receive time. */
  time: t.string,
  parent: t.union([t.string, t.null]),
  summary: SnapshotSummary,
})
export type SnapshotMetadata = t.TypeOf<typeof SnapshotMetadata>

/** The server's limit on encryptedMetadata. */
export const MAX_SNAPSHOT_METADATA_BYTES = 65_536
const PAD_UNIT = 256

const aad = (snapshotId: string): Uint8Array => utf8(`${SnapshotLabels.snapshotMetadata}|${snapshotId}`)

/** AES-256-GCM(metadataKey, padded JSON, aad = "zkeb/v1.1/snapshot-metadata|" + snapshotId), nonce prepended. */
export const encryptSnapshotMetadata = async (
  metadataKey: Uint8Array,
  snapshotId: string,
  m: SnapshotMetadata,
  random: RandomBytes = secureRandomBytes,
): Promise<E.Either<InvalidEncoding, Uint8Array>> => {
  const json = utf8(JSON.stringify(SnapshotMetadata.encode(m)))
  const padded = new Uint8Array(Math.ceil(json.length / PAD_UNIT) * PAD_UNIT).fill(0x20)
  padded.set(json)
  if (padded.length + 28 > MAX_SNAPSHOT_METADATA_BYTES)
    return E.left(invalidEncoding('metadata', 'too-large'))
  return E.right(await seal(metadataKey, padded, aad(snapshotId), random))
}

export const decryptSnapshotMetadata = async (
  metadataKey: Uint8Array,
  snapshotId: string,
  encrypted: Uint8Array,
): Promise<E.Either<MetadataUnreadable | InvalidEncoding, SnapshotMetadata>> => {
  const plaintext = await open(metadataKey, encrypted, aad(snapshotId), 'metadata')
  if (E.isLeft(plaintext)) return E.left(metadataUnreadable(snapshotId))
  const json = E.tryCatch(
    () => JSON.parse(fromUtf8(plaintext.right)) as unknown,
    () => invalidEncoding('metadata', 'json'),
  )
  return E.flatMap(json, (value) =>
    E.mapLeft(() => invalidEncoding('metadata', 'shape'))(SnapshotMetadata.decode(value)),
  )
}

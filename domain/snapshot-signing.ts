/**
 * The canonical bytes a device signs for a snapshot (protocol v1.1, §7), beside protocol v1's upload signing.
 * Shared by client and server, so it is pure and byte-exact: changing anything here breaks every signature.
 * It takes digests, not the metadata and refs themselves: the client hashes with node:crypto, the server with
 * its Hasher port, and a verifier holding only a record (refsSha256, refCount) can rebuild the bytes.
 */

/** What the signature covers, by digest: what a server or a verifier holds without the refs themselves. */
export type SnapshotSigningDigests = Readonly<{
  snapshotId: string
  seriesId: string
  /** sha256hex of the encrypted metadata bytes. */
  metadataSha256: string
  /** sha256hex of the refs as 32-byte ids, sorted, concatenated. */
  refsSha256: string
  refCount: number
}>

/**
 *   "zkeb/v1.1/snapshot\n" + snapshotId + "\n" + seriesId + "\n" + sha256hex(encryptedMetadata) + "\n"
 *   + sha256hex(refs as 32-byte ids, sorted, concatenated) + "\n" + refCount + "\n"
 */
export const snapshotSigningString = (d: SnapshotSigningDigests): string =>
  'zkeb/v1.1/snapshot\n' +
  `${d.snapshotId}\n` +
  `${d.seriesId}\n` +
  `${d.metadataSha256}\n` +
  `${d.refsSha256}\n` +
  `${d.refCount}\n`

/** The UTF-8 bytes of snapshotSigningString: what the device's Ed25519 key signs. */
export const snapshotSigningDigestBytes = (d: SnapshotSigningDigests): Uint8Array =>
  new TextEncoder().encode(snapshotSigningString(d))

/**
 * Knows what the server keeps of a snapshot and how the client makes it: the series id, the encrypted metadata,
 * the sorted refs, the device's signing bytes, and the binary body of "create snapshot".
 * SECURITY: the server sees the snapshot id, an opaque series id, the device, its own receive time, the object
 * ids the snapshot keeps alive, and ciphertext. Host, paths, tags, the client's clock and the root tree are all
 * inside the metadata.
 */
import { createHash, createHmac } from 'node:crypto'
import { snapshotSigningDigestBytes } from '../../domain/snapshot-signing'
import { uint32be, utf8 } from '../crypto/bytes'
import { compareBytes, ID_BYTES } from './binary'
import { ObjectId, objectIdBytes } from './object'

declare const snapshotIdBrand: unique symbol
/** A UUIDv4 chosen by the client before upload (bound into the metadata AAD and the signature). */
export type SnapshotId = string & { readonly [snapshotIdBrand]: 'SnapshotId' }
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
export const isSnapshotId = (s: string): s is SnapshotId => UUID_V4.test(s)

/**
 * seriesId = hex(HMAC-SHA256(seriesKey, u32(len host) | host | u32(n) | (u32(len path) | path) × n)), host and
 * paths as UTF-8, paths sorted by bytes and unique. The same host and PATHs give the same series, whatever order
 * the PATHs were typed in; the server can group snapshots by it and learns nothing else from it.
 */
export const seriesIdOf = (seriesKey: Uint8Array, host: string, paths: ReadonlyArray<string>): string => {
  const sorted = [...new Set(paths)].map(utf8).sort(compareBytes)
  const mac = createHmac('sha256', seriesKey)
  mac
    .update(uint32be(utf8(host).length))
    .update(utf8(host))
    .update(uint32be(sorted.length))
  for (const p of sorted) mac.update(uint32be(p.length)).update(p)
  return mac.digest('hex')
}

/** The refs of a snapshot in wire order: unique, sorted (hex order is byte order). */
export const sortedRefs = (ids: Iterable<ObjectId>): ReadonlyArray<ObjectId> => [...new Set(ids)].sort()

/** The refs as the create body carries them: 32 raw bytes each, concatenated. */
export const refsBytes = (refs: ReadonlyArray<ObjectId>): Uint8Array => {
  const out = new Uint8Array(refs.length * ID_BYTES)
  refs.forEach((id, i) => out.set(objectIdBytes(id), i * ID_BYTES))
  return out
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** The signing string and its digests live in domain/, shared with the server that verifies them. */
export { snapshotSigningString, type SnapshotSigningDigests } from '../../domain/snapshot-signing'

export type SnapshotSigningFields = Readonly<{
  snapshotId: SnapshotId
  seriesId: string
  encryptedMetadata: Uint8Array
  refs: ReadonlyArray<ObjectId>
}>

/** The signing bytes of a snapshot about to be created. */
export const snapshotSigningBytes = (f: SnapshotSigningFields): Uint8Array =>
  snapshotSigningDigestBytes({
    snapshotId: f.snapshotId,
    seriesId: f.seriesId,
    metadataSha256: sha256Hex(f.encryptedMetadata),
    refsSha256: sha256Hex(refsBytes(f.refs)),
    refCount: f.refs.length,
  })

/** The signing bytes of a stored record (its refsSha256 and refCount as the server keeps them). */
export const recordSigningBytes = (
  r: Readonly<{
    snapshotId: string
    seriesId: string
    encryptedMetadata: Uint8Array
    refsSha256: string
    refCount: number
  }>,
): Uint8Array =>
  snapshotSigningDigestBytes({
    snapshotId: r.snapshotId,
    seriesId: r.seriesId,
    metadataSha256: sha256Hex(r.encryptedMetadata),
    refsSha256: r.refsSha256,
    refCount: r.refCount,
  })

/** What a client sends to create a snapshot. */
export type NewSnapshot = Readonly<{
  snapshotId: SnapshotId
  seriesId: string
  deviceId: string
  encryptedMetadata: Uint8Array
  signature: Uint8Array
  refs: ReadonlyArray<ObjectId>
}>

/** The header JSON of the create body (binary fields base64url without padding). */
export type CreateSnapshotHeader = Readonly<{
  snapshotId: string
  seriesId: string
  deviceId: string
  encryptedMetadata: string
  signature: string
  refCount: number
}>

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

/** The create body: u32be(length of header) | header JSON (UTF-8) | refs (32 bytes each, sorted, unique). */
export const encodeCreateSnapshotBody = (s: NewSnapshot): Uint8Array => {
  const header: CreateSnapshotHeader = {
    snapshotId: s.snapshotId,
    seriesId: s.seriesId,
    deviceId: s.deviceId,
    encryptedMetadata: b64(s.encryptedMetadata),
    signature: b64(s.signature),
    refCount: s.refs.length,
  }
  const json = utf8(JSON.stringify(header))
  const refs = refsBytes(s.refs)
  const out = new Uint8Array(4 + json.length + refs.length)
  out.set(uint32be(json.length))
  out.set(json, 4)
  out.set(refs, 4 + json.length)
  return out
}

/**
 * Knows the shape of the snapshot tables' rows: ids kept as bytea (32 bytes) and shown to the domain as
 * lowercase hex, binary fields as base64url, all decoded with io-ts so a corrupt row becomes Unavailable.
 */
import * as t from 'io-ts'
import { AccountId, BlobId, ByteCount, DeviceId, Ed25519Signature, Sha256Hex } from '../../../domain/ids'
import {
  ObjectId,
  type ObjectLocation,
  PackId,
  SeriesId,
  SnapshotId,
  type SnapshotKey,
  SnapshotMetadata,
  type SnapshotPack,
  type SnapshotRecord,
  WrappedSnapshotKey,
} from '../../../domain/snapshot'
import { Bytea, bytes, decodeWith, PgDate } from './row-codecs'

/** A 32-byte bytea id as the domain's lowercase hex, checked by `codec`. */
export const HexBytea = <A extends string>(codec: t.Type<A, string, unknown>) =>
  new t.Type<A, Buffer, unknown>(
    `HexBytea<${codec.name}>`,
    codec.is,
    (u, c) => (Buffer.isBuffer(u) ? codec.validate(u.toString('hex'), c) : t.failure(u, c)),
    (s) => Buffer.from(s, 'hex'),
  )

/** The bytea form of a hex id, for inserts and conditions. */
export const idBytes = (hex: string): Buffer => Buffer.from(hex, 'hex')

export const decodeSnapshotKey = decodeWith(
  t.type({ account_id: AccountId, wrapped_key: Bytea(WrappedSnapshotKey), created_at: PgDate }),
  (r): SnapshotKey => ({ accountId: r.account_id, wrappedKey: r.wrapped_key, createdAt: r.created_at }),
)

export const decodePack = decodeWith(
  t.type({
    account_id: AccountId,
    pack_id: HexBytea(PackId),
    blob_id: BlobId,
    sha256: Sha256Hex,
    size_bytes: ByteCount,
    object_count: ByteCount,
    created_at: PgDate,
  }),
  (r): SnapshotPack => ({
    accountId: r.account_id,
    packId: r.pack_id,
    blobId: r.blob_id,
    sha256: r.sha256,
    sizeBytes: r.size_bytes,
    objectCount: r.object_count,
    createdAt: r.created_at,
  }),
)

export const packRow = (p: SnapshotPack) => ({
  account_id: p.accountId,
  pack_id: idBytes(p.packId),
  blob_id: p.blobId,
  sha256: p.sha256,
  size_bytes: p.sizeBytes,
  object_count: p.objectCount,
  created_at: p.createdAt,
})

export const decodeObjectId = decodeWith(t.type({ object_id: HexBytea(ObjectId) }), (r) => r.object_id)

export const decodeLocation = decodeWith(
  t.type({
    object_id: HexBytea(ObjectId),
    blob_id: BlobId,
    offset_bytes: ByteCount,
    length_bytes: ByteCount,
  }),
  (r): ObjectLocation => ({
    objectId: r.object_id,
    blobId: r.blob_id,
    offset: r.offset_bytes,
    length: r.length_bytes,
  }),
)

export const decodeSnapshot = decodeWith(
  t.type({
    account_id: AccountId,
    snapshot_id: SnapshotId,
    series_id: HexBytea(SeriesId),
    device_id: DeviceId,
    received_at: PgDate,
    encrypted_metadata: Bytea(SnapshotMetadata),
    signature: Bytea(Ed25519Signature),
    ref_count: ByteCount,
    refs_sha256: Sha256Hex,
  }),
  (r): SnapshotRecord => ({
    accountId: r.account_id,
    snapshotId: r.snapshot_id,
    seriesId: r.series_id,
    deviceId: r.device_id,
    receivedAt: r.received_at,
    encryptedMetadata: r.encrypted_metadata,
    signature: r.signature,
    refCount: r.ref_count,
    refsSha256: r.refs_sha256,
  }),
)

export const snapshotRow = (s: SnapshotRecord) => ({
  account_id: s.accountId,
  snapshot_id: s.snapshotId,
  series_id: idBytes(s.seriesId),
  device_id: s.deviceId,
  received_at: s.receivedAt,
  encrypted_metadata: bytes(s.encryptedMetadata),
  signature: bytes(s.signature),
  ref_count: s.refCount,
  refs_sha256: s.refsSha256,
})

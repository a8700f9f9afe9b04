/**
 * Snapshots as the server keeps them (protocol v1.1): keyed object ids, packs, the object index, snapshot
 * records. Each id is an io-ts codec and a type of the same name.
 * SECURITY: the server sees keyed ids (HMACs), an opaque series id, its own receive time, the signing device,
 * padded lengths and ciphertext. Nothing here can name a file, a folder or content.
 */
import * as t from 'io-ts'
import { AccountId, BlobId, boundedBytes, DeviceId, Ed25519Signature, Sha256Hex, Uuid } from './ids'

const hex32 = /^[0-9a-f]{64}$/
const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** HMAC-SHA256(idKey, type || plaintext), 64 lowercase hex: deduplicates within one account only. */
export type ObjectIdBrand = { readonly ObjectId: unique symbol }
export const ObjectId = t.brand(
  t.string,
  (s): s is t.Branded<string, ObjectIdBrand> => hex32.test(s),
  'ObjectId',
)
export type ObjectId = t.TypeOf<typeof ObjectId>

/** 32 random bytes chosen by the client (64 lowercase hex), so a retried upload names the same pack. */
export type PackIdBrand = { readonly PackId: unique symbol }
export const PackId = t.brand(t.string, (s): s is t.Branded<string, PackIdBrand> => hex32.test(s), 'PackId')
export type PackId = t.TypeOf<typeof PackId>

/** A keyed hash of host and PATHs (64 lowercase hex): groups snapshots without saying what they are. */
export type SeriesIdBrand = { readonly SeriesId: unique symbol }
export const SeriesId = t.brand(
  t.string,
  (s): s is t.Branded<string, SeriesIdBrand> => hex32.test(s),
  'SeriesId',
)
export type SeriesId = t.TypeOf<typeof SeriesId>

/** A UUIDv4 chosen by the client before upload (bound into the metadata's AAD and the signature). */
export type SnapshotIdBrand = { readonly SnapshotId: unique symbol }
export const SnapshotId = t.brand(
  Uuid,
  (s): s is t.Branded<Uuid, SnapshotIdBrand> => uuidV4.test(s),
  'SnapshotId',
)
export type SnapshotId = t.TypeOf<typeof SnapshotId>

/** nonce (12) | AES-256-GCM(BKK, RK) (48): the repository key, opaque to the server. */
export const WrappedSnapshotKey = boundedBytes('WrappedSnapshotKey', 60, 60)
export type WrappedSnapshotKey = t.TypeOf<typeof WrappedSnapshotKey>

/** The snapshot's metadata, encrypted under a key the server never holds: at most 64 KiB. */
export const SnapshotMetadata = boundedBytes('SnapshotMetadata', 1, 65_536)
export type SnapshotMetadata = t.TypeOf<typeof SnapshotMetadata>

/** Most ids one `has` asks about. */
export const MAX_HAS_IDS = 5000
/** Most ids one read asks for. */
export const MAX_READ_IDS = 1000
/** Most refs one snapshot holds. */
export const MAX_REFS = 2_000_000
/** How many missing ids an objects-missing answer lists (it counts them all). */
export const MISSING_IDS_LISTED = 1000

export type SnapshotKey = Readonly<{ accountId: AccountId; wrappedKey: WrappedSnapshotKey; createdAt: Date }>

/** One uploaded pack: its bytes are the blob `blobId`, a fresh id that names no user data. */
export type SnapshotPack = Readonly<{
  accountId: AccountId
  packId: PackId
  blobId: BlobId
  sha256: Sha256Hex
  sizeBytes: number
  objectCount: number
  createdAt: Date
}>

/** Where one object lies in its pack, as the pack's header says. */
export type PackEntry = Readonly<{ objectId: ObjectId; offset: number; length: number }>

/** Where the index says an object's bytes are: a range of a pack's blob. */
export type ObjectLocation = Readonly<{ objectId: ObjectId; blobId: BlobId; offset: number; length: number }>

export type SnapshotRecord = Readonly<{
  accountId: AccountId
  snapshotId: SnapshotId
  seriesId: SeriesId
  deviceId: DeviceId
  /** The server's clock at commit; the client's time exists only inside the metadata. */
  receivedAt: Date
  encryptedMetadata: SnapshotMetadata
  signature: Ed25519Signature
  refCount: number
  /** sha256hex of the sorted refs, as signed. */
  refsSha256: Sha256Hex
}>

export type SnapshotStats = Readonly<{
  /** Unique stored bytes: the lengths of the indexed objects, each id once (what the quota counts). */
  storedBytes: number
  objects: number
  packs: number
  /** Bytes of the pack blobs; minus storedBytes, the space held by collected objects in live packs. */
  packBytes: number
  snapshots: number
}>

/** A retry of a create carries the same signature over the same refs: it is the same snapshot. */
export const isSameSnapshot = (
  stored: SnapshotRecord,
  candidate: Pick<SnapshotRecord, 'signature' | 'refsSha256' | 'seriesId' | 'deviceId'>,
): boolean =>
  stored.signature === candidate.signature &&
  stored.refsSha256 === candidate.refsSha256 &&
  stored.seriesId === candidate.seriesId &&
  stored.deviceId === candidate.deviceId

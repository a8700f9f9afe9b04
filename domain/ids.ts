/**
 * Branded identifiers, hashes and opaque binary fields: each an io-ts codec and a type of the same name.
 * SECURITY: binary fields are opaque ciphertext or key material; the domain measures them and never parses them.
 */
import * as t from 'io-ts'
import { decodedLength, isBase64Url } from './base64url'

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const uuidV4Pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export type UuidBrand = { readonly Uuid: unique symbol }
export const Uuid = t.brand(t.string, (s): s is t.Branded<string, UuidBrand> => uuidPattern.test(s), 'Uuid')
export type Uuid = t.TypeOf<typeof Uuid>

export type AccountIdBrand = { readonly AccountId: unique symbol }
export const AccountId = t.brand(Uuid, (_s): _s is t.Branded<Uuid, AccountIdBrand> => true, 'AccountId')
export type AccountId = t.TypeOf<typeof AccountId>

export type DeviceIdBrand = { readonly DeviceId: unique symbol }
export const DeviceId = t.brand(Uuid, (_s): _s is t.Branded<Uuid, DeviceIdBrand> => true, 'DeviceId')
export type DeviceId = t.TypeOf<typeof DeviceId>

export type BlobIdBrand = { readonly BlobId: unique symbol }
export const BlobId = t.brand(Uuid, (_s): _s is t.Branded<Uuid, BlobIdBrand> => true, 'BlobId')
export type BlobId = t.TypeOf<typeof BlobId>

export type EventIdBrand = { readonly EventId: unique symbol }
export const EventId = t.brand(Uuid, (_s): _s is t.Branded<Uuid, EventIdBrand> => true, 'EventId')
export type EventId = t.TypeOf<typeof EventId>

export type SessionIdBrand = { readonly SessionId: unique symbol }
export const SessionId = t.brand(Uuid, (_s): _s is t.Branded<Uuid, SessionIdBrand> => true, 'SessionId')
export type SessionId = t.TypeOf<typeof SessionId>

/** Chosen by the client before upload (protocol-v1 binds it into every AAD), so it must be a v4 UUID. */
export type BackupIdBrand = { readonly BackupId: unique symbol }
export const BackupId = t.brand(
  Uuid,
  (s): s is t.Branded<Uuid, BackupIdBrand> => uuidV4Pattern.test(s),
  'BackupId',
)
export type BackupId = t.TypeOf<typeof BackupId>

export type UsernameBrand = { readonly Username: unique symbol }
export const Username = t.brand(
  t.string,
  (s): s is t.Branded<string, UsernameBrand> => /^[A-Za-z0-9._@+-]{3,128}$/.test(s),
  'Username',
)
export type Username = t.TypeOf<typeof Username>

/** SHA-256 as lowercase hex, the wire form of every hash. */
export type Sha256HexBrand = { readonly Sha256Hex: unique symbol }
export const Sha256Hex = t.brand(
  t.string,
  (s): s is t.Branded<string, Sha256HexBrand> => /^[0-9a-f]{64}$/.test(s),
  'Sha256Hex',
)
export type Sha256Hex = t.TypeOf<typeof Sha256Hex>

/** Unpadded base64url of opaque bytes. */
export type Base64UrlBrand = { readonly Base64Url: unique symbol }
export const Base64Url = t.brand(
  t.string,
  (s): s is t.Branded<string, Base64UrlBrand> => isBase64Url(s),
  'Base64Url',
)
export type Base64Url = t.TypeOf<typeof Base64Url>

/** Opaque bytes of at least `min` and at most `max` decoded bytes. */
export const boundedBytes = (name: string, min: number, max: number) =>
  t.refinement(Base64Url, (s) => decodedLength(s.length) >= min && decodedLength(s.length) <= max, name)

/** A secret bearer string (refresh, recovery tokens): 32 random bytes, base64url. */
export const BearerSecret = boundedBytes('BearerSecret', 32, 32)
export type BearerSecret = t.TypeOf<typeof BearerSecret>

export const Ed25519PublicKey = boundedBytes('Ed25519PublicKey', 32, 32)
export type Ed25519PublicKey = t.TypeOf<typeof Ed25519PublicKey>

export const Ed25519Signature = boundedBytes('Ed25519Signature', 64, 64)
export type Ed25519Signature = t.TypeOf<typeof Ed25519Signature>

/** Non-negative safe integer byte count. */
export type ByteCountBrand = { readonly ByteCount: unique symbol }
export const ByteCount = t.brand(
  t.number,
  (n): n is t.Branded<number, ByteCountBrand> => Number.isSafeInteger(n) && n >= 0,
  'ByteCount',
)
export type ByteCount = t.TypeOf<typeof ByteCount>

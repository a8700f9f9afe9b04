/**
 * Knows the shape of each table's rows: io-ts codecs decode what PostgreSQL returns into domain values, so a
 * corrupt or unexpected row becomes Unavailable (naming field paths, never values) instead of a crash.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import { unavailable, type Unavailable } from '../../../application/errors'
import { type Account, OpaqueRecord, RecoveryVerifier, WrappedUmk } from '../../../domain/account'
import { type AuditEvent, AuditEventType } from '../../../domain/audit'
import { type Backup, EncryptedMetadata, WrappedKey } from '../../../domain/backup'
import { type Device, EncryptedDeviceName } from '../../../domain/device'
import {
  AccountId,
  BackupId,
  BlobId,
  ByteCount,
  DeviceId,
  Ed25519PublicKey,
  Ed25519Signature,
  EventId,
  Sha256Hex,
  Username,
} from '../../../domain/ids'

/** timestamptz, parsed by pg into a Date. */
export const PgDate = new t.Type<Date, Date, unknown>(
  'PgDate',
  (u): u is Date => u instanceof Date && !Number.isNaN(u.getTime()),
  (u, c) => (u instanceof Date && !Number.isNaN(u.getTime()) ? t.success(u) : t.failure(u, c)),
  (d) => d,
)

/** bytea as the domain's base64url form, checked by `codec` (its length bounds included). */
export const Bytea = <A extends string>(codec: t.Type<A, string, unknown>) =>
  new t.Type<A, Buffer, unknown>(
    `Bytea<${codec.name}>`,
    codec.is,
    (u, c) => (Buffer.isBuffer(u) ? codec.validate(u.toString('base64url'), c) : t.failure(u, c)),
    (s) => Buffer.from(s, 'base64url'),
  )

/** SQL NULL as `none`. */
export const Nullable = <C extends t.Mixed>(codec: C) =>
  new t.Type<O.Option<t.TypeOf<C>>, unknown, unknown>(
    `Nullable<${codec.name}>`,
    (u): u is O.Option<t.TypeOf<C>> => O.isNone(u as O.Option<unknown>) || O.isSome(u as O.Option<unknown>),
    (u, c) => (u === null ? t.success(O.none) : pipe(codec.validate(u, c), E.map(O.some))),
    O.toNullable,
  )

/** The wire form of bytes for inserts and updates. */
export const bytes = (base64url: string): Buffer => Buffer.from(base64url, 'base64url')

const paths = (errors: t.Errors): string =>
  [
    ...new Set(
      errors.map((e) =>
        e.context
          .map((entry) => entry.key)
          .filter((key) => key !== '')
          .join('.'),
      ),
    ),
  ].join(', ')

/** Decodes one row, then shapes it; a row that does not fit is reported by its paths only (values may be keys). */
export const decodeWith =
  <R, A>(codec: t.Decoder<unknown, R>, shape: (row: R) => A) =>
  (row: unknown): E.Either<Unavailable, A> =>
    pipe(
      codec.decode(row),
      E.bimap((errors) => unavailable('postgres')(new Error(`corrupt row at ${paths(errors)}`)), shape),
    )

/** Decodes every row, or fails on the first that does not fit. */
export const decodeAll =
  <A>(decode: (row: unknown) => E.Either<Unavailable, A>) =>
  (rows: ReadonlyArray<unknown>): E.Either<Unavailable, ReadonlyArray<A>> =>
    E.traverseArray(decode)(rows)

export const decodeAccount = decodeWith(
  t.type({
    account_id: AccountId,
    username: Username,
    created_at: PgDate,
    opaque_record: Bytea(OpaqueRecord),
    password_wrapped_umk: Bytea(WrappedUmk),
    recovery_wrapped_umk: Bytea(WrappedUmk),
    key_bundle_version: t.Int,
    recovery_verifier: Bytea(RecoveryVerifier),
    quota_limit_bytes: ByteCount,
    disabled_at: Nullable(PgDate),
  }),
  (r): Account => ({
    accountId: r.account_id,
    username: r.username,
    createdAt: r.created_at,
    opaqueRecord: r.opaque_record,
    keyBundle: { passwordWrappedUmk: r.password_wrapped_umk, recoveryWrappedUmk: r.recovery_wrapped_umk },
    keyBundleVersion: r.key_bundle_version,
    recoveryVerifier: r.recovery_verifier,
    quotaLimitBytes: r.quota_limit_bytes,
    disabledAt: r.disabled_at,
  }),
)

export const decodeDevice = decodeWith(
  t.type({
    device_id: DeviceId,
    account_id: AccountId,
    public_key: Bytea(Ed25519PublicKey),
    encrypted_name: Bytea(EncryptedDeviceName),
    created_at: PgDate,
    last_seen_at: PgDate,
    revoked_at: Nullable(PgDate),
  }),
  (r): Device => ({
    deviceId: r.device_id,
    accountId: r.account_id,
    publicKey: r.public_key,
    encryptedName: r.encrypted_name,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    revokedAt: r.revoked_at,
  }),
)

const decodeBackupWithPaths = decodeWith(
  t.type({
    account_id: AccountId,
    backup_id: BackupId,
    device_id: DeviceId,
    parent_id: Nullable(BackupId),
    blob_id: BlobId,
    size_bytes: ByteCount,
    sha256: Sha256Hex,
    encrypted_metadata: Bytea(EncryptedMetadata),
    wrapped_key: Bytea(WrappedKey),
    signature: Bytea(Ed25519Signature),
    key_version: t.Int,
    created_at: PgDate,
    deleted_at: Nullable(PgDate),
  }),
  (r): Backup => ({
    backupId: r.backup_id,
    accountId: r.account_id,
    deviceId: r.device_id,
    parentId: r.parent_id,
    blobId: r.blob_id,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    encryptedMetadata: r.encrypted_metadata,
    wrappedKey: r.wrapped_key,
    signature: r.signature,
    keyVersion: r.key_version,
    createdAt: r.created_at,
    deletedAt: r.deleted_at,
  }),
)

/** bytea as base64url when `codec` accepts it (what Bytea(codec) decodes to), else undefined. */
const byteaAs = <A extends string>(codec: t.Type<A, string, unknown>, u: unknown): A | undefined => {
  if (!Buffer.isBuffer(u)) return undefined
  const s = u.toString('base64url')
  return codec.is(s) ? s : undefined
}

/** SQL NULL as `none`, a value `codec` accepts as `some`, anything else undefined (Nullable's decode). */
const nullableAs = <A>(is: (u: unknown) => u is A, u: unknown): O.Option<A> | undefined =>
  u === null ? O.none : is(u) ? O.some(u) : undefined

/**
 * The row of the hottest reads (every list row, every fetch), decoded with the same codecs' type guards
 * (`is`) instead of io-ts's decode, which builds a context and an Either per field. A row any guard refuses
 * is decoded again by the io-ts codec, so what it reports (the field paths) is the codec's own report.
 */
const backupFromRow = (row: unknown): Backup | undefined => {
  if (!t.UnknownRecord.is(row)) return undefined
  const r = row
  const parentId = nullableAs(BackupId.is, r['parent_id'])
  const deletedAt = nullableAs(PgDate.is, r['deleted_at'])
  const encryptedMetadata = byteaAs(EncryptedMetadata, r['encrypted_metadata'])
  const wrappedKey = byteaAs(WrappedKey, r['wrapped_key'])
  const signature = byteaAs(Ed25519Signature, r['signature'])
  const [accountId, backupId, deviceId, blobId] = [
    r['account_id'],
    r['backup_id'],
    r['device_id'],
    r['blob_id'],
  ]
  const [sizeBytes, sha256, keyVersion, createdAt] = [
    r['size_bytes'],
    r['sha256'],
    r['key_version'],
    r['created_at'],
  ]
  return AccountId.is(accountId) &&
    BackupId.is(backupId) &&
    DeviceId.is(deviceId) &&
    parentId !== undefined &&
    BlobId.is(blobId) &&
    ByteCount.is(sizeBytes) &&
    Sha256Hex.is(sha256) &&
    encryptedMetadata !== undefined &&
    wrappedKey !== undefined &&
    signature !== undefined &&
    t.Int.is(keyVersion) &&
    PgDate.is(createdAt) &&
    deletedAt !== undefined
    ? {
        backupId,
        accountId,
        deviceId,
        parentId,
        blobId,
        sizeBytes,
        sha256,
        encryptedMetadata,
        wrappedKey,
        signature,
        keyVersion,
        createdAt,
        deletedAt,
      }
    : undefined
}

export const decodeBackup = (row: unknown): E.Either<Unavailable, Backup> => {
  const backup = backupFromRow(row)
  return backup === undefined ? decodeBackupWithPaths(row) : E.right(backup)
}

export const decodeAuditEvent = decodeWith(
  t.type({
    event_id: EventId,
    account_id: AccountId,
    type: AuditEventType,
    at: PgDate,
    device_id: t.union([DeviceId, t.null]),
    request_id: t.string,
    prev_hash: Sha256Hex,
    hash: Sha256Hex,
  }),
  (r): AuditEvent => ({
    eventId: r.event_id,
    accountId: r.account_id,
    type: r.type,
    at: r.at,
    deviceId: r.device_id,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  }),
)

/** A blob named across accounts by the maintenance functions (ids only). */
export const decodeBlobRef = decodeWith(t.type({ account_id: AccountId, blob_id: BlobId }), (r) => ({
  accountId: r.account_id,
  blobId: r.blob_id,
}))

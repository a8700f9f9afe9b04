/**
 * Knows the shape of each table's rows: io-ts codecs decode what PostgreSQL returns into domain values, so a
 * corrupt or unexpected row becomes Unavailable (naming field paths, never values) instead of a crash.
 * Backup rows, the hottest, have their own file (backup-rows.ts).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import { unavailable, type Unavailable } from '../../../application/errors'
import { type Account, OpaqueRecord, RecoveryVerifier, WrappedUmk } from '../../../domain/account'
import { type AuditEvent, RecordedEventType } from '../../../domain/audit'
import { type Device, EncryptedDeviceName } from '../../../domain/device'
import {
  AccountId,
  BlobId,
  ByteCount,
  DeviceId,
  Ed25519PublicKey,
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

/** The first row decoded, `none` when there is none. */
export const decodeFirst =
  <A>(decode: (row: unknown) => E.Either<Unavailable, A>) =>
  (rows: ReadonlyArray<unknown>): E.Either<Unavailable, O.Option<A>> =>
    rows[0] === undefined ? E.right(O.none) : pipe(decode(rows[0]), E.map(O.some))

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

export const decodeAuditEvent = decodeWith(
  t.type({
    event_id: EventId,
    account_id: AccountId,
    type: RecordedEventType,
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

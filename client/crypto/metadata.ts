/**
 * Knows a backup's metadata: JSON {name, size, mtime, type, tags} encrypted under the MEK with AAD = backupId,
 * sent as `encryptedMetadata` (at most 8 KiB on the wire).
 * SECURITY: before encryption the JSON is padded with spaces (which JSON ignores) to a multiple of 256 bytes,
 * so the ciphertext length does not give away the length of the file name.
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import type { BackupId } from '../../domain/ids'
import { NONCE_BYTES, open, seal, TAG_BYTES } from './aead'
import { fromUtf8, RandomBytes, secureRandomBytes, utf8 } from './bytes'
import {
  DecryptionFailed,
  invalidMetadata,
  InvalidMetadata,
  MalformedCiphertext,
  metadataTooLarge,
  MetadataTooLarge,
} from './errors'
import type { Mek } from './keys'

/** What the client knows about a backup and the server must not. `mtime` is ISO-8601 UTC. */
export const BackupMetadata = t.strict({
  name: t.string,
  size: t.number,
  mtime: t.string,
  type: t.string,
  tags: t.array(t.string),
})
export type BackupMetadata = t.TypeOf<typeof BackupMetadata>

/** The server's limit on `encryptedMetadata`. */
export const MAX_ENCRYPTED_METADATA_BYTES = 8192
/** The longest padded JSON that still fits once the nonce and tag are added. */
export const MAX_METADATA_JSON_BYTES = MAX_ENCRYPTED_METADATA_BYTES - NONCE_BYTES - TAG_BYTES
const PAD_UNIT = 256

/** Pads JSON bytes with spaces to the next multiple of 256 (capped at the limit). */
const padJson = (json: Uint8Array): Uint8Array => {
  const out = new Uint8Array(Math.min(Math.ceil(json.length / PAD_UNIT) * PAD_UNIT, MAX_METADATA_JSON_BYTES))
  out.set(json)
  return out.fill(0x20, json.length)
}

/** Encrypts the metadata of `backupId`; Left when it would not fit in 8 KiB (trim the name or tags). */
export const encryptMetadata = async (
  mek: Mek,
  backupId: BackupId,
  metadata: BackupMetadata,
  random: RandomBytes = secureRandomBytes,
): Promise<E.Either<MetadataTooLarge, Uint8Array>> => {
  const { name, size, mtime, type, tags } = metadata // fixed key order, no stray fields
  const json = utf8(JSON.stringify({ name, size, mtime, type, tags }))
  if (json.length > MAX_METADATA_JSON_BYTES) return E.left(metadataTooLarge(MAX_METADATA_JSON_BYTES))
  return E.right(await seal(mek, padJson(json), utf8(backupId), random))
}

const parseJson = (bytes: Uint8Array): E.Either<InvalidMetadata, unknown> =>
  E.tryCatch(
    () => JSON.parse(fromUtf8(bytes)) as unknown,
    () => invalidMetadata([]),
  )

/** Field paths only, never values (they are the user's private metadata). */
const decodeMetadata = (value: unknown): E.Either<InvalidMetadata, BackupMetadata> =>
  E.mapLeft((errors: t.Errors) =>
    invalidMetadata(
      errors.map((e) =>
        e.context
          .map((c) => c.key)
          .filter((k) => k !== '')
          .join('.'),
      ),
    ),
  )(BackupMetadata.decode(value))

/** Decrypts and checks the metadata of `backupId`; Left for another backup's or account's blob or tampering. */
export const decryptMetadata = async (
  mek: Mek,
  backupId: BackupId,
  encryptedMetadata: Uint8Array,
): Promise<E.Either<DecryptionFailed | MalformedCiphertext | InvalidMetadata, BackupMetadata>> => {
  const plaintext = await open(mek, encryptedMetadata, utf8(backupId), 'metadata')
  return E.isLeft(plaintext) ? plaintext : E.flatMap(parseJson(plaintext.right), decodeMetadata)
}

/**
 * Knows the protocol-v1 key hierarchy below the OPAQUE export key:
 * exportKey → KEK wraps the UMK; UMK → BKK wraps each backup's DEK, UMK → MEK encrypts metadata.
 * SECURITY: keys are raw bytes because JavaScript cannot hide them from its own heap anyway; never log,
 * persist or send an unwrapped key. Every wrap binds its purpose (and the backup id) into the AAD, so a
 * wrapped key cannot be replayed as another kind of key or onto another backup.
 */
import * as E from 'fp-ts/Either'
import type { BackupId } from '../../domain/ids'
import { open, seal, KEY_BYTES } from './aead'
import { RandomBytes, secureRandomBytes, utf8 } from './bytes'
import type { DecryptionFailed, MalformedCiphertext } from './errors'
import { hkdf, HkdfLabels } from './hkdf'

declare const keyKind: unique symbol
/** 32 secret bytes tagged with their role, so a DEK cannot be passed where a UMK is expected. */
export type Key<Kind extends string> = Uint8Array & { readonly [keyKind]: Kind }
export type Umk = Key<'Umk'>
export type Kek = Key<'Kek'>
export type Bkk = Key<'Bkk'>
export type Mek = Key<'Mek'>
export type Dek = Key<'Dek'>

/** Tags 32 bytes with a key role (for keys read back from storage or test vectors). Throws on another length. */
export const asKey = <Kind extends string>(bytes: Uint8Array): Key<Kind> => {
  if (bytes.length !== KEY_BYTES) throw new RangeError('a ZKEB key is 32 bytes')
  return bytes as Key<Kind>
}

export type UnwrapError = DecryptionFailed | MalformedCiphertext

/** The AAD of both UMK wraps (password and recovery). */
export const UMK_AAD = 'zkeb/v1/umk'
/** The AAD prefix of a DEK wrap; the backup id follows it. */
export const DEK_AAD_PREFIX = 'zkeb/v1/dek|'

/** A fresh user master key, made once at registration. */
export const generateUmk = (random: RandomBytes = secureRandomBytes): Umk => asKey(random(KEY_BYTES))

/** A fresh data key for one backup. SECURITY: never reuse a DEK across backups. */
export const generateDek = (random: RandomBytes = secureRandomBytes): Dek => asKey(random(KEY_BYTES))

/** KEK = HKDF(exportKey, "zkeb/v1/kek"). The export key comes from OPAQUE and never leaves the client. */
export const deriveKek = async (exportKey: Uint8Array): Promise<Kek> =>
  asKey(await hkdf(exportKey, HkdfLabels.kek))

/** keyBundle.passwordWrappedUmk = AES-GCM(KEK, UMK, aad = "zkeb/v1/umk"), nonce prepended. */
export const wrapUmkWithPassword = async (
  umk: Umk,
  exportKey: Uint8Array,
  random: RandomBytes = secureRandomBytes,
): Promise<Uint8Array> => seal(await deriveKek(exportKey), umk, utf8(UMK_AAD), random)

/** Recovers the UMK after an OPAQUE login; Left when the export key is another password's. */
export const unwrapUmkWithPassword = async (
  passwordWrappedUmk: Uint8Array,
  exportKey: Uint8Array,
): Promise<E.Either<UnwrapError, Umk>> =>
  E.map(asKey<'Umk'>)(await open(await deriveKek(exportKey), passwordWrappedUmk, utf8(UMK_AAD), 'umk'))

/** The two keys derived from the UMK for backups. Rotating the UMK changes both. */
export type BackupKeys = Readonly<{ bkk: Bkk; mek: Mek }>

/** BKK = HKDF(UMK, "zkeb/v1/backup-kwk"), MEK = HKDF(UMK, "zkeb/v1/metadata"). */
export const deriveBackupKeys = async (umk: Umk): Promise<BackupKeys> => ({
  bkk: asKey(await hkdf(umk, HkdfLabels.backupKwk)),
  mek: asKey(await hkdf(umk, HkdfLabels.metadata)),
})

const dekAad = (backupId: BackupId): Uint8Array => utf8(DEK_AAD_PREFIX + backupId)

/** wrappedKey = AES-GCM(BKK, DEK, aad = "zkeb/v1/dek|" + backupId), nonce prepended. */
export const wrapDek = (
  bkk: Bkk,
  dek: Dek,
  backupId: BackupId,
  random: RandomBytes = secureRandomBytes,
): Promise<Uint8Array> => seal(bkk, dek, dekAad(backupId), random)

/** Unwraps a backup's DEK; Left for another account's BKK, another backup's wrap, or tampered bytes. */
export const unwrapDek = async (
  bkk: Bkk,
  wrappedKey: Uint8Array,
  backupId: BackupId,
): Promise<E.Either<UnwrapError, Dek>> =>
  E.map(asKey<'Dek'>)(await open(bkk, wrappedKey, dekAad(backupId), 'dek'))

/** Key rotation: re-wraps one DEK from the old UMK's BKK to the new one's, never touching the content. */
export const rewrapDek = async (
  oldBkk: Bkk,
  newBkk: Bkk,
  wrappedKey: Uint8Array,
  backupId: BackupId,
  random: RandomBytes = secureRandomBytes,
): Promise<E.Either<UnwrapError, Uint8Array>> => {
  const dek = await unwrapDek(oldBkk, wrappedKey, backupId)
  return E.isLeft(dek) ? dek : E.right(await wrapDek(newBkk, dek.right, backupId, random))
}

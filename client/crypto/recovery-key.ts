/**
 * Knows the recovery key: 32 random bytes shown to the user once, printed as base32 in groups, which
 * wraps a second copy of the UMK and proves itself to the server for an account recovery.
 */
import * as E from 'fp-ts/Either'
import { open, seal, KEY_BYTES } from './aead'
import { decodeBase32, encodeBase32 } from './base32'
import { concatBytes, RandomBytes, secureRandomBytes, sha256, utf8 } from './bytes'
import { invalidRecoveryKey, InvalidRecoveryKey } from './errors'
import { hkdf, HkdfLabels } from './hkdf'
import { asKey, Key, UMK_AAD, Umk, UnwrapError } from './keys'

export type RecoveryKey = Key<'RecoveryKey'>

/** Checksum bytes appended before printing: SHA-256(key)[0..3]. 35 bytes make 56 base32 characters. */
const CHECKSUM_BYTES = 3
const PRINTED_CHARS = 56
const GROUP = 4

/** A fresh recovery key, made once at registration (and again if the user asks for a new one). */
export const generateRecoveryKey = (random: RandomBytes = secureRandomBytes): RecoveryKey =>
  asKey(random(KEY_BYTES))

const checksum = async (key: Uint8Array): Promise<Uint8Array> =>
  (await sha256(key)).subarray(0, CHECKSUM_BYTES)

/**
 * The printable form: base32(key || SHA-256(key)[0..3]) in 14 groups of 4, e.g. `ABCD-EFGH-…`.
 * SECURITY: show it once, never store or log it; it decrypts everything the password does.
 */
export const formatRecoveryKey = async (key: RecoveryKey): Promise<string> => {
  const chars = encodeBase32(concatBytes(key, await checksum(key)))
  const groups: string[] = []
  for (let i = 0; i < chars.length; i += GROUP) groups.push(chars.slice(i, i + GROUP))
  return groups.join('-')
}

/** Undoes what people do to a key they copy: case, spaces, dashes, and 0/1/8 read as O/I/B. */
const normalise = (text: string): string =>
  text.toUpperCase().replace(/[\s-]/g, '').replace(/0/g, 'O').replace(/1/g, 'I').replace(/8/g, 'B')

/** Parses a typed recovery key; Left('format') for wrong characters or length, Left('checksum') for a typo. */
export const parseRecoveryKey = async (text: string): Promise<E.Either<InvalidRecoveryKey, RecoveryKey>> => {
  const chars = normalise(text)
  const bytes = chars.length === PRINTED_CHARS ? decodeBase32(chars) : undefined
  if (bytes === undefined) return E.left(invalidRecoveryKey('format'))
  const key = bytes.slice(0, KEY_BYTES)
  const expected = await checksum(key)
  const matches = expected.every((b, i) => b === bytes[KEY_BYTES + i])
  return matches ? E.right(asKey(key)) : E.left(invalidRecoveryKey('checksum'))
}

/** recoveryProof = HKDF(recoveryKey, "zkeb/v1/recovery-auth"), sent to start a recovery. */
export const recoveryProof = async (key: RecoveryKey): Promise<Uint8Array> =>
  hkdf(key, HkdfLabels.recoveryAuth)

/**
 * recoveryVerifier = SHA-256(recoveryProof), stored by the server at registration.
 * SECURITY: the server can check a proof against it but cannot derive the proof, nor the recovery KEK
 * (another HKDF label), from it.
 */
export const recoveryVerifier = async (key: RecoveryKey): Promise<Uint8Array> =>
  sha256(await recoveryProof(key))

const deriveRecoveryKek = async (key: RecoveryKey): Promise<Uint8Array> => hkdf(key, HkdfLabels.recoveryKek)

/** keyBundle.recoveryWrappedUmk = AES-GCM(HKDF(recoveryKey, "zkeb/v1/recovery-kek"), UMK, aad = "zkeb/v1/umk"). */
export const wrapUmkWithRecoveryKey = async (
  umk: Umk,
  key: RecoveryKey,
  random: RandomBytes = secureRandomBytes,
): Promise<Uint8Array> => seal(await deriveRecoveryKek(key), umk, utf8(UMK_AAD), random)

/** Recovers the UMK with the recovery key (after the password is lost); Left for another key or tampering. */
export const unwrapUmkWithRecoveryKey = async (
  recoveryWrappedUmk: Uint8Array,
  key: RecoveryKey,
): Promise<E.Either<UnwrapError, Umk>> =>
  E.map(asKey<'Umk'>)(await open(await deriveRecoveryKek(key), recoveryWrappedUmk, utf8(UMK_AAD), 'umk'))

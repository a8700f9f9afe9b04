/**
 * Knows AES-256-GCM as protocol-v1 uses it for small secrets: a 12-byte random nonce, a 16-byte tag, and the
 * wrap format `nonce || ciphertext || tag`.
 */
import * as E from 'fp-ts/Either'
import { asBufferSource, RandomBytes, secureRandomBytes, WebCryptoKey } from './bytes'
import {
  decryptionFailed,
  DecryptionFailed,
  malformedCiphertext,
  MalformedCiphertext,
  SealedThing,
} from './errors'

export const KEY_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16

/**
 * Imports 32 raw bytes as a non-extractable AES-256-GCM key for one direction. Streams import once and
 * reuse the key for every segment.
 */
export const importAesGcmKey = (key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<WebCryptoKey> => {
  if (key.length !== KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key')
  return globalThis.crypto.subtle.importKey('raw', asBufferSource(key), 'AES-GCM', false, [usage])
}

const gcmParams = (nonce: Uint8Array, aad: Uint8Array) => {
  if (nonce.length !== NONCE_BYTES) throw new RangeError('AES-GCM nonce must be 12 bytes')
  return { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: TAG_BYTES * 8 }
}

/**
 * AES-256-GCM encryption with an explicit nonce: `ciphertext || tag` (no nonce).
 * SECURITY: the caller guarantees the nonce is never reused under this key. WebCrypto copies `plaintext`
 * when called, so the caller may reuse its buffer once the promise settles.
 */
export const gcmEncrypt = async (
  key: WebCryptoKey,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> =>
  new Uint8Array(
    await globalThis.crypto.subtle.encrypt(gcmParams(nonce, aad), key, asBufferSource(plaintext)),
  )

/** AES-256-GCM decryption of `ciphertext || tag`; `undefined` when it does not authenticate. */
export const gcmDecrypt = async (
  key: WebCryptoKey,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array | undefined> => {
  try {
    return new Uint8Array(
      await globalThis.crypto.subtle.decrypt(gcmParams(nonce, aad), key, asBufferSource(sealed)),
    )
  } catch {
    return undefined // OperationError: the tag did not verify (or the input is shorter than a tag).
  }
}

/**
 * Seals `plaintext` under `key` bound to `aad`, in the wrap format `nonce || ciphertext || tag`.
 * SECURITY: the nonce is 96 random bits per call; keys sealed this way seal few messages (one UMK, one
 * DEK per backup, one metadata blob per backup), far below the 2^32 random-nonce limit for GCM.
 */
export const seal = async (
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  random: RandomBytes = secureRandomBytes,
): Promise<Uint8Array> => {
  const nonce = random(NONCE_BYTES)
  const sealed = await gcmEncrypt(await importAesGcmKey(key, 'encrypt'), nonce, plaintext, aad)
  const out = new Uint8Array(NONCE_BYTES + sealed.length)
  out.set(nonce, 0)
  out.set(sealed, NONCE_BYTES)
  return out
}

/** Opens the wrap format made by `seal`; Left when it is too short or does not authenticate under key+aad. */
export const open = async (
  key: Uint8Array,
  wrapped: Uint8Array,
  aad: Uint8Array,
  what: SealedThing,
): Promise<E.Either<DecryptionFailed | MalformedCiphertext, Uint8Array>> => {
  if (wrapped.length < NONCE_BYTES + TAG_BYTES) return E.left(malformedCiphertext(what))
  const aesKey = await importAesGcmKey(key, 'decrypt')
  const plaintext = await gcmDecrypt(
    aesKey,
    wrapped.subarray(0, NONCE_BYTES),
    wrapped.subarray(NONCE_BYTES),
    aad,
  )
  return plaintext === undefined ? E.left(decryptionFailed(what)) : E.right(plaintext)
}

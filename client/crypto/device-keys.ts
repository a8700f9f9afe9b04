/**
 * Knows a device's Ed25519 identity: made on the device, the raw 32-byte public key registered with the server,
 * the private key signing each upload's canonical bytes and stored on the device wrapped under the UMK.
 */
import * as E from 'fp-ts/Either'
import { uploadSigningBytes, UploadSigningFields } from '../../domain/upload-signing'
import { open, seal } from './aead'
import { asBufferSource, RandomBytes, secureRandomBytes, utf8, WebCryptoKey } from './bytes'
import { hkdf, HkdfLabels } from './hkdf'
import type { Umk, UnwrapError } from './keys'

export type DeviceKeyPair = Readonly<{ publicKey: WebCryptoKey; privateKey: WebCryptoKey }>

const ED25519 = { name: 'Ed25519' } as const
const subtle = () => globalThis.crypto.subtle

/** A fresh device key pair. The private key is extractable only so it can be wrapped for storage. */
export const generateDeviceKeyPair = async (): Promise<DeviceKeyPair> => {
  const pair = await subtle().generateKey(ED25519, true, ['sign', 'verify'])
  if (!('privateKey' in pair)) throw new Error('Ed25519 generateKey returned a single key')
  return { publicKey: pair.publicKey, privateKey: pair.privateKey }
}

/** The raw 32-byte public key, as `POST /api/v1/devices` expects it. */
export const exportDevicePublicKey = async (publicKey: WebCryptoKey): Promise<Uint8Array> =>
  new Uint8Array(await subtle().exportKey('raw', publicKey))

/** PKCS#8 of the private key. SECURITY: wrap it (wrapDevicePrivateKey) before it touches a disk. */
export const exportDevicePrivateKey = async (privateKey: WebCryptoKey): Promise<Uint8Array> =>
  new Uint8Array(await subtle().exportKey('pkcs8', privateKey))

/** Imports a PKCS#8 Ed25519 private key for signing (not extractable again). */
export const importDevicePrivateKey = (pkcs8: Uint8Array): Promise<WebCryptoKey> =>
  subtle().importKey('pkcs8', asBufferSource(pkcs8), ED25519, false, ['sign'])

/** Imports a raw 32-byte Ed25519 public key for verification. */
export const importDevicePublicKey = (raw: Uint8Array): Promise<WebCryptoKey> =>
  subtle().importKey('raw', asBufferSource(raw), ED25519, true, ['verify'])

/** The 64-byte Ed25519 signature over the canonical upload signing bytes (domain/upload-signing.ts). */
export const signUpload = async (
  privateKey: WebCryptoKey,
  fields: UploadSigningFields,
): Promise<Uint8Array> =>
  new Uint8Array(await subtle().sign(ED25519, privateKey, asBufferSource(uploadSigningBytes(fields))))

/** Checks an upload signature as the server will (useful before sending, and in tests). */
export const verifyUpload = async (
  publicKey: WebCryptoKey,
  fields: UploadSigningFields,
  signature: Uint8Array,
): Promise<boolean> =>
  subtle().verify(ED25519, publicKey, asBufferSource(signature), asBufferSource(uploadSigningBytes(fields)))

const DEVICE_KEY_AAD = 'zkeb/v1/device-key'

/**
 * Wraps the PKCS#8 private key for storage on the device: AES-GCM(HKDF(UMK, "zkeb/v1/device-key"),
 * pkcs8, aad = "zkeb/v1/device-key"). Client-local: the server never sees this blob.
 * SECURITY: a derived key, not the UMK itself, so the UMK only ever feeds HKDF.
 */
export const wrapDevicePrivateKey = async (
  umk: Umk,
  pkcs8: Uint8Array,
  random: RandomBytes = secureRandomBytes,
): Promise<Uint8Array> => seal(await hkdf(umk, HkdfLabels.deviceKey), pkcs8, utf8(DEVICE_KEY_AAD), random)

/** Unwraps what wrapDevicePrivateKey stored; Left under another UMK (e.g. after a rotation) or tampering. */
export const unwrapDevicePrivateKey = async (
  umk: Umk,
  wrapped: Uint8Array,
): Promise<E.Either<UnwrapError, Uint8Array>> =>
  open(await hkdf(umk, HkdfLabels.deviceKey), wrapped, utf8(DEVICE_KEY_AAD), 'device-key')

/**
 * Knows this client's devices: an Ed25519 key pair made here, its public key registered with an encrypted
 * name, its private key handed back wrapped under the UMK for the caller to store.
 *
 * Device names: encryptedName = AES-256-GCM(MEK, UTF-8(name), aad = "zkeb/v1/device-name"), nonce prepended
 * (the wrap format of client/crypto/aead.ts). The fixed AAD keeps a name from being replayed as metadata
 * (whose AAD is a backup id) and vice versa. api-v1 has no call to rename a device, so a name written before a
 * key rotation opens with an earlier MEK, kept by the keyring (keyring.ts); without one it is listed as unreadable.
 */
import * as E from 'fp-ts/Either'
import {
  exportDevicePrivateKey,
  exportDevicePublicKey,
  fromUtf8,
  generateDeviceKeyPair,
  importDevicePrivateKey,
  open,
  seal,
  unwrapDevicePrivateKey,
  utf8,
  wrapDevicePrivateKey,
  type Mek,
} from '../crypto'
import { b64, fromB64 } from './encoding'
import { attempt, fail, invalidArgument, keysUnreadable, type SdkError } from './errors'
import { withEarlierMeks } from './keyring'
import { withDevice, type Session } from './session'

export const DEVICE_NAME_AAD = 'zkeb/v1/device-name'
/** Characters of a device name; its ciphertext must stay within the server's 1 KiB. */
export const MAX_DEVICE_NAME_LENGTH = 200

export type RegisteredDevice = Readonly<{
  session: Session
  deviceId: string
  /** PKCS#8 wrapped under HKDF(UMK, "zkeb/v1/device-key"); store it, it never goes to the server. */
  wrappedPrivateKey: Uint8Array
}>

/** Registers a fresh key pair for this device; the returned session signs uploads with it. */
export const registerDevice = (
  session: Session,
  name: string,
): Promise<E.Either<SdkError, RegisteredDevice>> =>
  attempt(async () => {
    if (name.length === 0 || name.length > MAX_DEVICE_NAME_LENGTH) return fail(invalidArgument('device name'))
    const pair = await generateDeviceKeyPair()
    const encryptedName = await seal(session.keys.mek, utf8(name), utf8(DEVICE_NAME_AAD))
    const publicKey = await exportDevicePublicKey(pair.publicKey)
    const { deviceId } = await session.http.addDevice(b64(publicKey), b64(encryptedName))
    const pkcs8 = await exportDevicePrivateKey(pair.privateKey)
    const wrappedPrivateKey = await wrapDevicePrivateKey(session.umk, pkcs8)
    const privateKey = await importDevicePrivateKey(pkcs8)
    pkcs8.fill(0)
    return { session: withDevice(session, { deviceId, privateKey }), deviceId, wrappedPrivateKey }
  })

/** Unwraps a stored device key; KeysUnreadable('device-key') under another UMK (a rotation elsewhere). */
export const loadDevice = (
  session: Session,
  deviceId: string,
  wrappedPrivateKey: Uint8Array,
): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const pkcs8 = await unwrapDevicePrivateKey(session.umk, wrappedPrivateKey)
    if (E.isLeft(pkcs8)) return fail(keysUnreadable('device-key'))
    const privateKey = await importDevicePrivateKey(pkcs8.right).catch(() =>
      fail(keysUnreadable('device-key')),
    )
    pkcs8.right.fill(0)
    return withDevice(session, { deviceId, privateKey })
  })

export type DeviceView = Readonly<{
  deviceId: string
  /** The Ed25519 raw public key (base64url) the device signs uploads with; public, safe to show. */
  publicKey: string
  /** null when the name opens with no MEK this client knows (not by a ZKEB client, or no keyring). */
  name: string | null
  createdAt: string
  lastSeenAt: string
  revokedAt: string | null
  current: boolean
}>

const openName = async (mek: Mek, encryptedName: string): Promise<string | null> => {
  const opened = await open(mek, fromB64(encryptedName, 'encryptedName'), utf8(DEVICE_NAME_AAD), 'metadata')
  if (E.isLeft(opened)) return null
  return E.getOrElseW(() => null)(
    E.tryCatch(
      () => fromUtf8(opened.right),
      () => null,
    ),
  )
}

export const listDevices = (session: Session): Promise<E.Either<SdkError, ReadonlyArray<DeviceView>>> =>
  attempt(async () => {
    const { items } = await session.http.listDevices()
    return Promise.all(
      items.map(async (d) => ({
        deviceId: d.deviceId,
        publicKey: d.publicKey,
        name: await withEarlierMeks(session, (mek) => openName(mek, d.encryptedName)),
        createdAt: d.createdAt,
        lastSeenAt: d.lastSeenAt,
        revokedAt: d.revokedAt,
        current: d.deviceId === session.device?.deviceId,
      })),
    )
  })

/** Revokes a device: its sessions end and its future uploads are refused. */
export const revokeDevice = (session: Session, deviceId: string): Promise<E.Either<SdkError, void>> =>
  attempt(() => session.http.revokeDevice(deviceId))

/** Re-wraps this device's private key under a new UMK (after a rotation), as `registerDevice` would. */
export const rewrapDeviceKey = (
  oldSession: Session,
  newSession: Session,
  wrappedPrivateKey: Uint8Array,
): Promise<E.Either<SdkError, Uint8Array>> =>
  attempt(async () => {
    const pkcs8 = await unwrapDevicePrivateKey(oldSession.umk, wrappedPrivateKey)
    if (E.isLeft(pkcs8)) return fail(keysUnreadable('device-key'))
    const rewrapped = await wrapDevicePrivateKey(newSession.umk, pkcs8.right)
    pkcs8.right.fill(0)
    return rewrapped
  })

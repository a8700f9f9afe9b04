/**
 * Knows the signed-in account in this tab: the SDK session (keys in memory only) and this browser's device.
 *
 * What is persisted: only `{deviceId, wrappedPrivateKey}` per username in localStorage, so the browser stays
 * one device across visits. The private key is wrapped under a key derived from the UMK, which is never
 * stored: without the password the record opens nothing. Logging out wipes every key from memory;
 * "forget this browser" also revokes the device and removes that record.
 */
import * as E from 'fp-ts/Either'
import { decodeBase64Url, encodeBase64Url } from '../../domain/base64url'
import {
  clientOptions,
  isSecondFactorRequired,
  loadDevice,
  login,
  logout,
  register,
  registerDevice,
  revokeDevice,
  rewrapDeviceKey,
  rotateKeys,
  type SdkError,
  type Session,
} from './sdk'

type StoredDevice = Readonly<{ deviceId: string; wrappedPrivateKey: string }>

const storageKey = (username: string): string => `zkeb.device.v1.${username}`

const readStoredDevice = (username: string): StoredDevice | undefined => {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(username)) ?? 'null')
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { deviceId, wrappedPrivateKey } = parsed as Record<string, unknown>
    return typeof deviceId === 'string' && typeof wrappedPrivateKey === 'string'
      ? { deviceId, wrappedPrivateKey }
      : undefined
  } catch {
    return undefined
  }
}

const deviceName = (): string => {
  const ua = navigator.userAgent
  const browser = /Firefox\//.test(ua)
    ? 'Firefox'
    : /Edg\//.test(ua)
      ? 'Edge'
      : /Chrom/.test(ua)
        ? 'Chrome'
        : 'Web'
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'web'
  return `${browser} on ${os}`
}

/** A fresh device for this browser; its wrapped key is remembered for the next visit. */
const addThisBrowser = async (session: Session): Promise<E.Either<SdkError, Session>> => {
  const added = await registerDevice(session, deviceName())
  if (E.isLeft(added)) return added
  const record: StoredDevice = {
    deviceId: added.right.deviceId,
    wrappedPrivateKey: encodeBase64Url(added.right.wrappedPrivateKey),
  }
  localStorage.setItem(storageKey(session.username), JSON.stringify(record))
  return E.right(added.right.session)
}

/**
 * Logs in and unlocks the account, signing as this browser's device: the remembered one when it still
 * works (not revoked, and its key opens under this UMK), else a new one.
 */
export const unlock = async (
  username: string,
  password: string,
  code?: string,
): Promise<E.Either<SdkError, Session>> => {
  // Asked only when the server wants a second factor: six digits are a TOTP code, anything else a recovery code.
  const proof = code === undefined ? undefined : code.trim()
  const secondFactor =
    proof === undefined || proof === ''
      ? undefined
      : () =>
          Promise.resolve({
            kind: /^[0-9]{6}$/.test(proof) ? ('totp' as const) : ('recovery-code' as const),
            code: proof,
          })
  const stored = readStoredDevice(username)
  if (stored !== undefined) {
    const session = await login(clientOptions(), {
      username,
      password,
      deviceId: stored.deviceId,
      ...(secondFactor === undefined ? {} : { secondFactor }),
    })
    if (E.isLeft(session) && isSecondFactorRequired(session.left)) return session
    if (E.isLeft(session) && session.left._tag === 'WrongPassword') return session
    if (E.isRight(session)) {
      const withDevice = await loadDevice(
        session.right,
        stored.deviceId,
        decodeBase64Url(stored.wrappedPrivateKey),
      )
      if (E.isRight(withDevice)) return withDevice
      await logout(session.right)
      wipe(session.right)
    }
    localStorage.removeItem(storageKey(username))
  }
  const session = await login(clientOptions(), {
    username,
    password,
    ...(secondFactor === undefined ? {} : { secondFactor }),
  })
  return E.isLeft(session) ? session : addThisBrowser(session.right)
}

export type NewAccount = Readonly<{ session: Session; recoveryKey: string }>

/** Registers, then unlocks the new account at once (so the password need not be kept for later). */
export const createAccount = async (
  username: string,
  password: string,
): Promise<E.Either<SdkError, NewAccount>> => {
  const registered = await register(clientOptions(), { username, password })
  if (E.isLeft(registered)) return registered
  const session = await unlock(username, password)
  return E.isLeft(session)
    ? session
    : E.right({ session: session.right, recoveryKey: registered.right.recoveryKey })
}

/**
 * Rotates the keys and re-wraps this browser's stored device key under the new master key, so the next
 * visit still signs as the same device.
 */
export const rotate = async (session: Session, recoveryKey: string): Promise<E.Either<SdkError, Session>> => {
  const rotated = await rotateKeys(session, { recoveryKey })
  if (E.isLeft(rotated)) return rotated
  const stored = readStoredDevice(session.username)
  if (stored !== undefined && stored.deviceId === session.device?.deviceId) {
    const rewrapped = await rewrapDeviceKey(session, rotated.right, decodeBase64Url(stored.wrappedPrivateKey))
    if (E.isRight(rewrapped))
      localStorage.setItem(
        storageKey(session.username),
        JSON.stringify({ deviceId: stored.deviceId, wrappedPrivateKey: encodeBase64Url(rewrapped.right) }),
      )
  }
  return rotated
}

/** Overwrites the session's raw key bytes (the device key is a non-extractable CryptoKey, dropped with it). */
export const wipe = (session: Session): void => {
  session.umk.fill(0)
  session.exportKey.fill(0)
  session.keys.bkk.fill(0)
  session.keys.mek.fill(0)
  session.http.transport.setTokens(undefined)
}

/** Ends the session on the server and wipes the keys; `forget` also revokes this browser's device. */
export const signOut = async (session: Session, forget: boolean): Promise<void> => {
  if (forget && session.device !== undefined) {
    await revokeDevice(session, session.device.deviceId)
    localStorage.removeItem(storageKey(session.username))
  } else await logout(session)
  wipe(session)
}

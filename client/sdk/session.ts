/**
 * Knows what an unlocked account is on the client: an authenticated HTTP client plus the keys that only the
 * client ever holds (the OPAQUE export key, the UMK and the two keys derived from it).
 * SECURITY: a Session holds raw keys in memory; never serialise or log it. The CLI keeps its UMK, export key
 * and tokens only sealed under the password and the UMK (client/cli/state.ts).
 */
import { deriveBackupKeys, type BackupKeys, type KeyStretching, type Umk, type WebCryptoKey } from '../crypto'
import { createHttpClient, type HttpClient } from './http-client'
import type { TransportOptions } from './http-transport'
import type { KeyBundle } from './wire'

/** How to reach a server, plus the OPAQUE stretching (tests only pass a cheaper one than the default). */
export type ClientOptions = TransportOptions &
  Readonly<{
    /**
     * Argon2id parameters of OPAQUE. Registration and every login must agree, so only tests change it;
     * real clients keep the pinned default (client/crypto/opaque.ts).
     */
    keyStretching?: KeyStretching
  }>

/** The device this client signs uploads as: its id and its Ed25519 private key (non-extractable). */
export type DeviceIdentity = Readonly<{ deviceId: string; privateKey: WebCryptoKey }>

export type Session = Readonly<{
  http: HttpClient
  options: ClientOptions
  accountId: string
  username: string
  /** From this run's OPAQUE exchange; needed to re-wrap the UMK for the password (rotation). */
  exportKey: Uint8Array
  umk: Umk
  keys: BackupKeys
  keyBundle: KeyBundle
  keyBundleVersion: number
  device: DeviceIdentity | undefined
}>

export const httpClientFor = (options: ClientOptions): HttpClient => createHttpClient(options)

/** A session whose UMK (and so BKK and MEK) has been replaced, e.g. after a rotation. */
export const withUmk = async (
  session: Session,
  umk: Umk,
  keyBundle: KeyBundle,
  keyBundleVersion: number,
): Promise<Session> => ({ ...session, umk, keys: await deriveBackupKeys(umk), keyBundle, keyBundleVersion })

/** The session, signing as `device`. */
export const withDevice = (session: Session, device: DeviceIdentity): Session => ({ ...session, device })

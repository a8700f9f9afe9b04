/**
 * Knows who signed a backup: the public keys of the account's devices (from GET /api/v1/devices, cached per
 * session) and the check of a record's Ed25519 signature over the protocol-v1 signing bytes.
 * The cache is keyed by the session's HTTP client, which a session shares with the sessions derived from it
 * (withDevice, withUmk), so one login reads the list once. A device unknown to the cached list (registered
 * since) makes it read the list again, once.
 * Revoked devices stay listed: a revocation refuses future uploads, it does not void past signatures.
 * Limitation: the keys come from the same server as the records, so this catches records altered after
 * upload (storage, a proxy), not a server that also lies about the device list.
 */
import * as O from 'fp-ts/Option'
import { importDevicePublicKey, verifyUpload } from '../crypto'
import type { BackupId, Sha256Hex } from '../../domain/ids'
import type { UploadSigningFields } from '../../domain/upload-signing'
import { fromB64, sha256Hex } from './encoding'
import { badSignature, fail } from './errors'
import type { HttpClient } from './http-client'
import type { Session } from './session'
import type { BackupRecord } from './wire'

type DeviceKeys = ReadonlyMap<string, string>

const deviceKeysByClient = new WeakMap<HttpClient, Promise<DeviceKeys>>()

/** Reads the device list into the cache; a failed read is not cached. */
const refreshDeviceKeys = (http: HttpClient): Promise<DeviceKeys> => {
  const keys = http
    .listDevices()
    .then(({ items }): DeviceKeys => new Map(items.map((d) => [d.deviceId, d.publicKey])))
  deviceKeysByClient.set(http, keys)
  keys.catch(() => {
    if (deviceKeysByClient.get(http) === keys) deviceKeysByClient.delete(http)
  })
  return keys
}

/** The base64url public key of `deviceId`, or undefined when the account has no such device. */
const publicKeyOf = async (http: HttpClient, deviceId: string): Promise<string | undefined> => {
  const cached = deviceKeysByClient.get(http)
  const known = cached === undefined ? undefined : (await cached).get(deviceId)
  return known ?? (await refreshDeviceKeys(http)).get(deviceId)
}

/** The fields the uploading device signed, rebuilt from the record (protocol-v1 signing bytes). */
export const signedFieldsOf = (record: BackupRecord): UploadSigningFields => ({
  backupId: record.backupId as BackupId,
  contentSha256: record.sha256 as Sha256Hex,
  sizeBytes: record.sizeBytes,
  metadataSha256: sha256Hex(fromB64(record.encryptedMetadata, 'encryptedMetadata')) as Sha256Hex,
  parentId: O.fromNullable(record.parentId as BackupId | null),
})

const verifies = async (publicKey: Uint8Array, record: BackupRecord): Promise<boolean> => {
  const signature = fromB64(record.signature, 'signature')
  try {
    return await verifyUpload(await importDevicePublicKey(publicKey), signedFieldsOf(record), signature)
  } catch {
    return false // a key or signature of the wrong length: no valid signature either
  }
}

/**
 * Throws ZkebError(BadSignature) unless the record's signature verifies against its device's key.
 * SECURITY: the signature covers sha256 and sizeBytes, which the download is checked against, so a verified
 * record and a verified stream together are exactly what that device uploaded.
 */
export const verifyRecordSignature = async (session: Session, record: BackupRecord): Promise<void> => {
  const publicKey = await publicKeyOf(session.http, record.deviceId)
  if (publicKey === undefined) return fail(badSignature('unknown-device'))
  if (!(await verifies(fromB64(publicKey, 'publicKey'), record))) return fail(badSignature('mismatch'))
}

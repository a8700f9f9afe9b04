/**
 * Knows protocol-v1's key derivations: HKDF-SHA256 (RFC 5869) with an empty salt and a fixed info label.
 */
import { asBufferSource, utf8 } from './bytes'

/** Every HKDF info label of protocol v1. Changing one breaks every existing account. */
export const HkdfLabels = {
  kek: 'zkeb/v1/kek',
  recoveryKek: 'zkeb/v1/recovery-kek',
  recoveryAuth: 'zkeb/v1/recovery-auth',
  backupKwk: 'zkeb/v1/backup-kwk',
  metadata: 'zkeb/v1/metadata',
  /** Client-local (not in protocol-v1): wraps the device's Ed25519 private key for storage on the device. */
  deviceKey: 'zkeb/v1/device-key',
} as const

export type HkdfLabel = (typeof HkdfLabels)[keyof typeof HkdfLabels]

/**
 * HKDF-SHA256(ikm, salt = empty, info = label) → `length` bytes (32 by default).
 * SECURITY: an empty salt is what protocol-v1 specifies; every input key here is already uniformly random
 * (OPAQUE export key, UMK, recovery key), so extraction needs no salt. Distinct labels make the outputs
 * independent, which is why one key never serves two purposes.
 */
export const hkdf = async (ikm: Uint8Array, label: HkdfLabel, length = 32): Promise<Uint8Array> => {
  const key = await globalThis.crypto.subtle.importKey('raw', asBufferSource(ikm), 'HKDF', false, [
    'deriveBits',
  ])
  const bits = await globalThis.crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: asBufferSource(utf8(label)) },
    key,
    length * 8,
  )
  return new Uint8Array(bits)
}

/**
 * Computes the protocol-v1 test vectors from fixed inputs. `generate.ts` writes them to protocol-v1.json;
 * the tests recompute them and compare byte for byte with the committed file, so any change to the wire
 * format shows up as a failing test, not as silently unreadable backups.
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import {
  asKey,
  deriveBackupKeys,
  deriveKek,
  encryptMetadata,
  encryptSegments,
  formatRecoveryKey,
  hkdf,
  HkdfLabels,
  importDevicePrivateKey,
  paddedLength,
  padmeLength,
  recoveryProof,
  recoveryVerifier,
  sha256,
  signUpload,
  wrapDek,
  wrapDevicePrivateKey,
  wrapUmkWithPassword,
  wrapUmkWithRecoveryKey,
} from '../../../client/crypto'
import type { BackupMetadata } from '../../../client/crypto'
import type { BackupId, Sha256Hex } from '../../../domain/ids'
import { decodeBase64Url } from '../../../domain/base64url'
import { uploadSigningBytes, uploadSigningString } from '../../../domain/upload-signing'
import { counting, fixedRandom, fromHex, hex } from '../support'

/** The fixed inputs. Keys count up from distinct starting bytes so a swapped key is obvious in a dump. */
export const inputs = {
  ikm: counting(32, 0x00),
  exportKey: counting(64, 0x40),
  umk: counting(32, 0x10),
  recoveryKey: counting(32, 0x20),
  dek: counting(32, 0x30),
  nonces: { passwordWrap: counting(12, 0xa0), recoveryWrap: counting(12, 0xb0), dekWrap: counting(12, 0xc0) },
  metadataNonce: counting(12, 0xd0),
  deviceKeyNonce: counting(12, 0xe0),
  backupId: '0f8fad5b-d9cb-469f-a165-70867728950e' as BackupId,
  parentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' as BackupId,
  metadata: {
    name: 'Photos/2024/été.jpg',
    size: 150,
    mtime: '2024-07-14T12:00:00.000Z',
    type: 'image/jpeg',
    tags: ['holiday', 'family'],
  } satisfies BackupMetadata,
  segmentSize: 64,
  noncePrefix: fromHex('f0f1f2f3f4f5f6'),
  plaintext: counting(150, 0x01),
  /** RFC 8032 test 1 secret key, wrapped in the PKCS#8 prefix for Ed25519. */
  ed25519Seed: fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
}

const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420'

/** The raw public key of a PKCS#8 Ed25519 private key, through WebCrypto's JWK export. */
const ed25519PublicKey = async (pkcs8: Uint8Array): Promise<Uint8Array> => {
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, 'Ed25519', true, ['sign'])
  const jwk = await crypto.subtle.exportKey('jwk', key)
  return decodeBase64Url(jwk.x ?? '')
}

const hkdfVectors = async () => ({
  ikm: hex(inputs.ikm),
  salt: '',
  outputs: Object.fromEntries(
    await Promise.all(
      Object.values(HkdfLabels).map(async (l) => [l, hex(await hkdf(inputs.ikm, l))] as const),
    ),
  ),
})

const umkVectors = async () => ({
  exportKey: hex(inputs.exportKey),
  kek: hex(await deriveKek(inputs.exportKey)),
  umk: hex(inputs.umk),
  aad: 'zkeb/v1/umk',
  nonce: hex(inputs.nonces.passwordWrap),
  passwordWrappedUmk: hex(
    await wrapUmkWithPassword(asKey(inputs.umk), inputs.exportKey, fixedRandom(inputs.nonces.passwordWrap)),
  ),
})

const recoveryVectors = async () => {
  const key = asKey<'RecoveryKey'>(inputs.recoveryKey)
  return {
    recoveryKey: hex(key),
    printed: await formatRecoveryKey(key),
    recoveryKek: hex(await hkdf(key, HkdfLabels.recoveryKek)),
    recoveryProof: hex(await recoveryProof(key)),
    recoveryVerifier: hex(await recoveryVerifier(key)),
    umk: hex(inputs.umk),
    nonce: hex(inputs.nonces.recoveryWrap),
    recoveryWrappedUmk: hex(
      await wrapUmkWithRecoveryKey(asKey(inputs.umk), key, fixedRandom(inputs.nonces.recoveryWrap)),
    ),
  }
}

const backupKeyVectors = async () => {
  const { bkk, mek } = await deriveBackupKeys(asKey(inputs.umk))
  const wrappedKey = await wrapDek(
    bkk,
    asKey(inputs.dek),
    inputs.backupId,
    fixedRandom(inputs.nonces.dekWrap),
  )
  return {
    umk: hex(inputs.umk),
    bkk: hex(bkk),
    mek: hex(mek),
    dekWrap: {
      backupId: inputs.backupId,
      aad: `zkeb/v1/dek|${inputs.backupId}`,
      dek: hex(inputs.dek),
      nonce: hex(inputs.nonces.dekWrap),
      wrappedKey: hex(wrappedKey),
    },
  }
}

const metadataVectors = async () => {
  const { mek } = await deriveBackupKeys(asKey(inputs.umk))
  const sealed = await encryptMetadata(
    mek,
    inputs.backupId,
    inputs.metadata,
    fixedRandom(inputs.metadataNonce),
  )
  if (E.isLeft(sealed)) throw new Error('vector metadata too large')
  return {
    mek: hex(mek),
    backupId: inputs.backupId,
    metadata: inputs.metadata,
    json: JSON.stringify(inputs.metadata),
    paddedJsonBytes: sealed.right.length - 28,
    nonce: hex(inputs.metadataNonce),
    encryptedMetadata: hex(sealed.right),
  }
}

const segmentVectors = async () => {
  const stream = encryptSegments(asKey(inputs.dek), inputs.backupId, [inputs.plaintext], {
    segmentSize: inputs.segmentSize,
    random: fixedRandom(inputs.noncePrefix),
  })
  const parts: string[] = []
  for await (const part of stream) parts.push(hex(part))
  const [header = '', ...segments] = parts
  return {
    dek: hex(inputs.dek),
    backupId: inputs.backupId,
    segmentSize: inputs.segmentSize,
    noncePrefix: hex(inputs.noncePrefix),
    plaintext: hex(inputs.plaintext),
    paddedLength: paddedLength(inputs.plaintext.length),
    header,
    segments,
    ciphertext: parts.join(''),
  }
}

const signingVectors = async (ciphertext: Uint8Array, encryptedMetadata: Uint8Array) => {
  const fields = {
    backupId: inputs.backupId,
    contentSha256: hex(await sha256(ciphertext)) as Sha256Hex,
    sizeBytes: ciphertext.length,
    metadataSha256: hex(await sha256(encryptedMetadata)) as Sha256Hex,
    parentId: O.some(inputs.parentId),
  }
  const pkcs8 = fromHex(PKCS8_ED25519_PREFIX + hex(inputs.ed25519Seed))
  const signature = await signUpload(await importDevicePrivateKey(pkcs8), fields)
  return {
    fields: { ...fields, parentId: inputs.parentId },
    signingString: uploadSigningString(fields),
    signingBytes: hex(uploadSigningBytes(fields)),
    ed25519Pkcs8: hex(pkcs8),
    ed25519PublicKey: hex(await ed25519PublicKey(pkcs8)),
    signature: hex(signature),
    devicePrivateKeyWrap: {
      umk: hex(inputs.umk),
      nonce: hex(inputs.deviceKeyNonce),
      wrapped: hex(await wrapDevicePrivateKey(asKey(inputs.umk), pkcs8, fixedRandom(inputs.deviceKeyNonce))),
    },
  }
}

const PADME_LENGTHS = [0, 1, 2, 3, 9, 63, 64, 65, 1000, 1_048_575, 1_048_576, 1_048_577, 5_000_000_000]

/** Every vector, in the shape of protocol-v1.json. */
export const computeVectors = async () => {
  const segments = await segmentVectors()
  const metadata = await metadataVectors()
  return {
    description:
      'ZKEB protocol v1 test vectors. Binary values are lowercase hex; strings are UTF-8. See client/crypto.',
    conventions: {
      hkdf: 'HKDF-SHA256, salt empty, info = the label as UTF-8, 32-byte output',
      wrap: 'AES-256-GCM, output nonce(12) || ciphertext || tag(16)',
      contentPadding:
        'plaintext || 0x80 || 0x00* up to padme(len + 1) bytes, then split into segments (last: 1..segmentSize bytes)',
      metadataPadding: 'JSON (keys name,size,mtime,type,tags) padded with spaces to a multiple of 256 bytes',
      recoveryKeyPrinted:
        'RFC 4648 base32 (no padding) of key || SHA-256(key)[0..3], groups of 4 joined by "-"',
      devicePrivateKeyWrap:
        'client-local: PKCS#8 under HKDF(UMK, "zkeb/v1/device-key"), aad "zkeb/v1/device-key"',
    },
    hkdf: await hkdfVectors(),
    passwordWrappedUmk: await umkVectors(),
    recovery: await recoveryVectors(),
    backupKeys: await backupKeyVectors(),
    metadata,
    segments,
    padme: PADME_LENGTHS.map((n) => ({ length: n, padme: padmeLength(n), paddedLength: paddedLength(n) })),
    uploadSigning: await signingVectors(fromHex(segments.ciphertext), fromHex(metadata.encryptedMetadata)),
  }
}

export type Vectors = Awaited<ReturnType<typeof computeVectors>>

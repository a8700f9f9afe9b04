import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import {
  exportDevicePrivateKey,
  exportDevicePublicKey,
  generateDeviceKeyPair,
  generateUmk,
  importDevicePrivateKey,
  importDevicePublicKey,
  signUpload,
  unwrapDevicePrivateKey,
  verifyUpload,
  wrapDevicePrivateKey,
} from '../../../client/crypto'
import type { Sha256Hex } from '../../../domain/ids'
import { UploadSigningFields } from '../../../domain/upload-signing'
import { aBackupId, anotherBackupId } from '../support'

const fields: UploadSigningFields = {
  backupId: aBackupId,
  contentSha256: 'a'.repeat(64) as Sha256Hex,
  sizeBytes: 1234,
  metadataSha256: 'b'.repeat(64) as Sha256Hex,
  parentId: O.none,
}

describe('device keys', () => {
  it('exports a raw 32-byte Ed25519 public key and signs uploads with 64-byte signatures it verifies', async () => {
    const pair = await generateDeviceKeyPair()
    const raw = await exportDevicePublicKey(pair.publicKey)
    expect(raw.length).to.equal(32)
    const signature = await signUpload(pair.privateKey, fields)
    expect(signature.length).to.equal(64)
    expect(await verifyUpload(await importDevicePublicKey(raw), fields, signature)).to.equal(true)
  })

  it('a signature does not verify for another backup id, size or parent', async () => {
    const pair = await generateDeviceKeyPair()
    const signature = await signUpload(pair.privateKey, fields)
    for (const changed of [
      { ...fields, backupId: anotherBackupId },
      { ...fields, sizeBytes: 1235 },
      { ...fields, parentId: O.some(anotherBackupId) },
    ]) {
      expect(await verifyUpload(pair.publicKey, changed, signature)).to.equal(false)
    }
  })

  it('stores the private key wrapped under the UMK and signs the same after unwrapping', async () => {
    const pair = await generateDeviceKeyPair()
    const umk = generateUmk()
    const wrapped = await wrapDevicePrivateKey(umk, await exportDevicePrivateKey(pair.privateKey))
    const pkcs8 = await unwrapDevicePrivateKey(umk, wrapped)
    if (E.isLeft(pkcs8)) return expect.fail('unwrap failed')
    const signature = await signUpload(await importDevicePrivateKey(pkcs8.right), fields)
    expect(await verifyUpload(pair.publicKey, fields, signature)).to.equal(true)
    expect(await unwrapDevicePrivateKey(generateUmk(), wrapped)).to.deep.equal(
      E.left({ _tag: 'DecryptionFailed', what: 'device-key' }),
    )
  })
})

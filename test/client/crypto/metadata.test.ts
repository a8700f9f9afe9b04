import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  BackupMetadata,
  decryptMetadata,
  deriveBackupKeys,
  encryptMetadata,
  generateUmk,
  MAX_ENCRYPTED_METADATA_BYTES,
  Mek,
  seal,
} from '../../../client/crypto'
import { aBackupId, anotherBackupId } from '../support'

const aMetadata = (overrides: Partial<BackupMetadata> = {}): BackupMetadata => ({
  name: 'documents/tax-2024.pdf',
  size: 123_456,
  mtime: '2025-01-31T09:30:00.000Z',
  type: 'application/pdf',
  tags: ['tax'],
  ...overrides,
})

const sealOrFail = async (mek: Mek, metadata: BackupMetadata, backupId = aBackupId): Promise<Uint8Array> => {
  const sealed = await encryptMetadata(mek, backupId, metadata)
  if (E.isLeft(sealed)) return expect.fail('metadata refused')
  return sealed.right
}

describe('backup metadata', () => {
  let mek: Mek
  before(async () => {
    mek = (await deriveBackupKeys(generateUmk())).mek
  })

  it('round-trips, and the ciphertext reveals neither the name nor its exact length', async () => {
    const short = await sealOrFail(mek, aMetadata({ name: 'a' }))
    const longer = await sealOrFail(mek, aMetadata({ name: 'a'.repeat(100) }))
    expect(short.length).to.equal(longer.length)
    expect(Buffer.from(longer).includes(Buffer.from('aaaa'))).to.equal(false)
    expect(await decryptMetadata(mek, aBackupId, short)).to.deep.equal(E.right(aMetadata({ name: 'a' })))
  })

  it('fits the server’s 8 KiB limit and refuses metadata that would not', async () => {
    const biggest = await sealOrFail(mek, aMetadata({ name: 'x'.repeat(8000) }))
    expect(biggest.length).to.be.at.most(MAX_ENCRYPTED_METADATA_BYTES)
    expect(await encryptMetadata(mek, aBackupId, aMetadata({ name: 'x'.repeat(8200) }))).to.deep.equal(
      E.left({ _tag: 'MetadataTooLarge', maxJsonBytes: 8164 }),
    )
  })

  it('does not decrypt as another backup’s metadata or under another account’s MEK', async () => {
    const sealed = await sealOrFail(mek, aMetadata())
    expect(await decryptMetadata(mek, anotherBackupId, sealed)).to.deep.equal(
      E.left({ _tag: 'DecryptionFailed', what: 'metadata' }),
    )
    const otherMek = (await deriveBackupKeys(generateUmk())).mek
    expect(await decryptMetadata(otherMek, aBackupId, sealed)).to.deep.equal(
      E.left({ _tag: 'DecryptionFailed', what: 'metadata' }),
    )
  })

  it('reports the field paths, not the values, of authentic metadata with the wrong shape', async () => {
    const wrongShape = await seal(
      mek,
      new TextEncoder().encode('{"name":"secret.txt","size":"big"}'),
      new TextEncoder().encode(aBackupId),
    )
    const result = await decryptMetadata(mek, aBackupId, wrongShape)
    if (E.isRight(result) || result.left._tag !== 'InvalidMetadata')
      return expect.fail('expected InvalidMetadata')
    expect(result.left.paths).to.include.members(['size', 'mtime', 'type', 'tags'])
    expect(JSON.stringify(result.left)).not.to.include('secret')
    const notJson = await seal(mek, new TextEncoder().encode('not json'), new TextEncoder().encode(aBackupId))
    expect(await decryptMetadata(mek, aBackupId, notJson)).to.deep.equal(
      E.left({ _tag: 'InvalidMetadata', paths: [] }),
    )
  })
})

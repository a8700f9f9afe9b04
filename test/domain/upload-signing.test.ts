import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { BackupId, Sha256Hex } from '../../domain/ids'
import { uploadSigningBytes, uploadSigningString } from '../../domain/upload-signing'

const fields = {
  backupId: '3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6a7b' as BackupId,
  contentSha256: 'a'.repeat(64) as Sha256Hex,
  sizeBytes: 1234,
  metadataSha256: 'b'.repeat(64) as Sha256Hex,
  parentId: O.none,
}

describe('upload signing bytes', () => {
  it('are exactly the protocol-v1 lines, with an empty parent line when there is none', () => {
    expect(uploadSigningString(fields)).to.equal(
      `zkeb/v1/upload\n3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6a7b\n${'a'.repeat(64)}\n1234\n${'b'.repeat(64)}\n\n`,
    )
  })

  it('name the parent when there is one', () => {
    const parent = '0e9d8c7b-6a59-4483-9271-605f4e3d2c1b' as BackupId
    expect(uploadSigningString({ ...fields, parentId: O.some(parent) })).to.match(
      new RegExp(`\\n${parent}\\n$`),
    )
  })

  it('are the UTF-8 encoding of that string', () => {
    expect(Buffer.from(uploadSigningBytes(fields)).toString('utf8')).to.equal(uploadSigningString(fields))
  })
})

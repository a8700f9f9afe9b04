/** The backup wire shapes: the full record is the upload answer's fields, in the same order, then the rest. */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { toBackupDto, toBackupSummaryDto } from '../../../adapters/http/dto'
import { aBackup, aBackupId, anAccountId, aDeviceId, at } from '../../support/persistence-builders'

describe('backup DTOs', () => {
  const backup = aBackup(anAccountId(), aDeviceId(), {
    parentId: O.some(aBackupId()),
    deletedAt: O.some(at(1)),
  })

  it('writes the full record as the summary’s fields, in order, then the key material and trash time', () => {
    const full = toBackupDto(backup)
    const summary = toBackupSummaryDto(backup)
    expect(Object.entries(full).slice(0, Object.keys(summary).length)).to.deep.equal(Object.entries(summary))
    expect(Object.keys(full).slice(Object.keys(summary).length)).to.deep.equal([
      'encryptedMetadata',
      'wrappedKey',
      'signature',
      'keyVersion',
      'deletedAt',
    ])
    expect(full).to.include({
      parentId: O.toNullable(backup.parentId),
      createdAt: backup.createdAt.toISOString(),
      encryptedMetadata: backup.encryptedMetadata,
      wrappedKey: backup.wrappedKey,
      signature: backup.signature,
      keyVersion: backup.keyVersion,
      deletedAt: at(1).toISOString(),
    })
    expect(toBackupDto({ ...backup, parentId: O.none, deletedAt: O.none })).to.include({
      parentId: null,
      deletedAt: null,
    })
  })
})

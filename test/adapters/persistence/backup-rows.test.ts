/**
 * decodeBackup's fast path (type guards, no io-ts contexts) must accept exactly what the io-ts codec accepts:
 * a good row becomes the same Backup, and a row with any one bad field is Unavailable naming that field only.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { decodeBackup } from '../../../adapters/persistence/knex/backup-rows'
import { aBackup, aBackupId, anAccountId, aDeviceId, at } from '../../support/persistence-builders'

const backup = aBackup(anAccountId(), aDeviceId(), {
  parentId: O.some(aBackupId()),
  deletedAt: O.some(at(5)),
})
/** The row pg hands over for `backup`: snake_case, bytea as Buffer, NULL as null. */
const row = {
  account_id: backup.accountId,
  backup_id: backup.backupId,
  device_id: backup.deviceId,
  parent_id: O.toNullable(backup.parentId),
  blob_id: backup.blobId,
  size_bytes: backup.sizeBytes,
  sha256: backup.sha256,
  encrypted_metadata: Buffer.from(backup.encryptedMetadata, 'base64url'),
  wrapped_key: Buffer.from(backup.wrappedKey, 'base64url'),
  signature: Buffer.from(backup.signature, 'base64url'),
  key_version: backup.keyVersion,
  created_at: backup.createdAt,
  deleted_at: at(5),
}

/** One bad value per field: wrong type, or the right type but refused by the codec. */
const corruptions: ReadonlyArray<readonly [keyof typeof row, unknown]> = [
  ['account_id', 'not-a-uuid'],
  ['backup_id', '00000000-0000-1000-8000-000000000000'], // a UUID, but not v4
  ['device_id', 42],
  ['parent_id', 'nope'],
  ['blob_id', undefined],
  ['size_bytes', -1],
  ['size_bytes', '4096'],
  ['sha256', 'ABC'],
  ['encrypted_metadata', Buffer.alloc(0)],
  ['encrypted_metadata', 'not bytes'],
  ['wrapped_key', Buffer.alloc(513)],
  ['signature', Buffer.alloc(63)],
  ['key_version', 1.5],
  ['created_at', new Date(Number.NaN)],
  ['deleted_at', '2026-01-01'],
]

describe('decodeBackup', () => {
  it('decodes a good row, with and without its nullable fields', () => {
    expect(decodeBackup(row)).to.deep.equal(E.right(backup))
    const bare = { ...row, parent_id: null, deleted_at: null }
    expect(decodeBackup(bare)).to.deep.equal(E.right({ ...backup, parentId: O.none, deletedAt: O.none }))
  })

  for (const [field, value] of corruptions)
    it(`reports a bad ${field} (${typeof value}) by its path only`, () => {
      const result = decodeBackup({ ...row, [field]: value })
      if (E.isRight(result)) throw new Error('accepted a corrupt row')
      expect(result.left).to.include({ _tag: 'Unavailable', dependency: 'postgres' })
      expect(String(result.left.cause)).to.equal(`Error: corrupt row at ${field}`)
    })

  it('refuses what is not a row at all', () => {
    for (const notRow of [null, 'row', [row]]) expect(E.isLeft(decodeBackup(notRow))).to.equal(true)
  })
})

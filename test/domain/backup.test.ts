import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import {
  checkRotationCoverage,
  isDueForPurge,
  isInTrash,
  isSameContent,
  moveToTrash,
  purgeCutoff,
  restoreFromTrash,
} from '../../domain/backup'
import { notInTrash, rotationIncomplete, rotationUnknownBackups } from '../../domain/errors'
import { aBackup, aBackupId, aDeviceId, anAccountId, at } from '../support/builders'

const day = 24 * 60 * 60 * 1000
const live = () => aBackup(anAccountId(), aDeviceId())

describe('backup', () => {
  it('moves a live backup to the trash at the given time', () => {
    const trashed = moveToTrash(live(), at(5))
    expect(isInTrash(trashed)).to.equal(true)
    expect(trashed.deletedAt).to.deep.equal(O.some(at(5)))
  })

  it('keeps the first trash time, so retention cannot be extended', () => {
    const trashed = moveToTrash(live(), at(5))
    expect(moveToTrash(trashed, at(9))).to.equal(trashed)
  })

  it('restores a trashed backup and refuses one that is not in the trash', () => {
    const backup = live()
    expect(restoreFromTrash(moveToTrash(backup, at()))).to.deep.equal(E.right(backup))
    expect(restoreFromTrash(backup)).to.deep.equal(E.left(notInTrash(backup.backupId)))
  })

  it('is due for purge exactly when the retention window has passed', () => {
    const trashed = moveToTrash(live(), at())
    expect(purgeCutoff(at(30 * day), 30)).to.deep.equal(at())
    expect(isDueForPurge(trashed, at(30 * day - 1), 30)).to.equal(false)
    expect(isDueForPurge(trashed, at(30 * day), 30)).to.equal(true)
    expect(isDueForPurge(live(), at(100 * day), 30)).to.equal(false)
  })

  it('recognises an idempotent retry by its content hash', () => {
    const backup = live()
    expect(isSameContent(backup, backup.sha256)).to.equal(true)
    expect(isSameContent(backup, live().sha256)).to.equal(false)
  })

  describe('rotation coverage', () => {
    const [a, b, trashed, stranger] = [aBackupId(), aBackupId(), aBackupId(), aBackupId()]

    it('accepts every backup, live and trashed', () => {
      expect(checkRotationCoverage([a, b], [trashed], [a, b, trashed])).to.deep.equal(E.right(undefined))
    })

    it('names the trashed backups a rotation misses, so a restored one still decrypts', () => {
      expect(checkRotationCoverage([a, b], [trashed], [b, a])).to.deep.equal(
        E.left(rotationIncomplete([trashed])),
      )
    })

    it('names the live backups a rotation misses', () => {
      expect(checkRotationCoverage([a, b], [], [a])).to.deep.equal(E.left(rotationIncomplete([b])))
    })

    it('names supplied backups that are not the account’s', () => {
      expect(checkRotationCoverage([a], [], [a, stranger])).to.deep.equal(
        E.left(rotationUnknownBackups([stranger])),
      )
    })
  })
})

/** The UploadSessionRepository contract, run against every adapter. Reservations: unit-of-work.contract.ts. */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { uploadNotFound, uploadOffsetConflict } from '../../domain/upload-session'
import { aBlobId, anAccount, at } from '../support/persistence-builders'
import { left, right } from './harness'
import { anUploadSession, type UploadHarness } from './upload-persistence'

export const uploadSessionRepositoryContract = (
  name: string,
  setUp: () => Promise<UploadHarness>,
): Mocha.Suite =>
  describe(`UploadSessionRepository contract (${name})`, () => {
    let h: UploadHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccount = async () => {
      const account = anAccount()
      await right(h.accounts.create(account))
      return account.accountId
    }

    it('finds what was created, and nothing for another account', async () => {
      const accountId = await givenAccount()
      const other = await givenAccount()
      const session = anUploadSession(accountId, { parentId: O.some(anUploadSession(accountId).backupId) })
      await right(h.uploads.create(session))
      expect(await right(h.uploads.find(accountId, session.uploadId))).to.deep.equal(O.some(session))
      expect(await right(h.uploads.find(other, session.uploadId))).to.deep.equal(O.none)
      expect(await right(h.uploads.parts(accountId, session.uploadId))).to.deep.equal([])
    })

    it('appends parts in order while the offset matches, and advances the offset', async () => {
      const accountId = await givenAccount()
      const session = anUploadSession(accountId, { lengthBytes: 100 })
      await right(h.uploads.create(session))
      const first = { blobId: aBlobId(), sizeBytes: 40 }
      const second = { blobId: aBlobId(), sizeBytes: 60 }
      expect(await right(h.uploads.appendPart(accountId, session.uploadId, 0, first))).to.equal(40)
      expect(await right(h.uploads.appendPart(accountId, session.uploadId, 40, second))).to.equal(100)
      expect(await right(h.uploads.parts(accountId, session.uploadId))).to.deep.equal([first, second])
      const found = await right(h.uploads.find(accountId, session.uploadId))
      expect(O.map((s: { offsetBytes: number }) => s.offsetBytes)(found)).to.deep.equal(O.some(100))
    })

    it('refuses an append from a stale offset or past the length, changing nothing', async () => {
      const accountId = await givenAccount()
      const session = anUploadSession(accountId, { lengthBytes: 100 })
      await right(h.uploads.create(session))
      await right(h.uploads.appendPart(accountId, session.uploadId, 0, { blobId: aBlobId(), sizeBytes: 30 }))
      const stale = h.uploads.appendPart(accountId, session.uploadId, 0, { blobId: aBlobId(), sizeBytes: 30 })
      expect(await left(stale)).to.deep.equal(uploadOffsetConflict(30))
      const tooLong = h.uploads.appendPart(accountId, session.uploadId, 30, {
        blobId: aBlobId(),
        sizeBytes: 71,
      })
      expect(await left(tooLong)).to.deep.equal(uploadOffsetConflict(30))
      expect(await right(h.uploads.parts(accountId, session.uploadId))).to.have.length(1)
    })

    it('lets only one of two concurrent appends at the same offset win', async () => {
      const accountId = await givenAccount()
      const session = anUploadSession(accountId, { lengthBytes: 100 })
      await right(h.uploads.create(session))
      const results = await Promise.all(
        [1, 2].map(() =>
          h.uploads.appendPart(accountId, session.uploadId, 0, { blobId: aBlobId(), sizeBytes: 10 })(),
        ),
      )
      expect(results.filter((r) => r._tag === 'Right')).to.have.length(1)
      expect(await right(h.uploads.parts(accountId, session.uploadId))).to.have.length(1)
    })

    it('reports an append to an unknown session as not found', async () => {
      const accountId = await givenAccount()
      const ghost = anUploadSession(accountId)
      const append = h.uploads.appendPart(accountId, ghost.uploadId, 0, { blobId: aBlobId(), sizeBytes: 1 })
      expect(await left(append)).to.deep.equal(uploadNotFound)
    })

    it('returns the parts on removal, once', async () => {
      const accountId = await givenAccount()
      const session = anUploadSession(accountId, { lengthBytes: 1000 })
      await right(h.uploads.create(session))
      const part = { blobId: aBlobId(), sizeBytes: 5 }
      await right(h.uploads.appendPart(accountId, session.uploadId, 0, part))
      expect(await right(h.uploads.remove(accountId, session.uploadId))).to.deep.equal([part])
      expect(await right(h.uploads.find(accountId, session.uploadId))).to.deep.equal(O.none)
      expect(await right(h.uploads.remove(accountId, session.uploadId))).to.deep.equal([])
    })

    it("counts a session part's blob as referenced, so blob garbage collection keeps it", async () => {
      const accountId = await givenAccount()
      const session = anUploadSession(accountId)
      await right(h.uploads.create(session))
      const part = { blobId: aBlobId(), sizeBytes: 5 }
      await right(h.uploads.appendPart(accountId, session.uploadId, 0, part))
      const unnamed = aBlobId()
      const asked = [part.blobId, unnamed].map((blobId) => ({ accountId, blobId }))
      expect(await right(h.backups.referencedBlobs(asked))).to.deep.equal([
        { accountId, blobId: part.blobId },
      ])
    })

    it('lists expired sessions of every account, oldest expiry first, up to the limit', async () => {
      const a = await givenAccount()
      const b = await givenAccount()
      const old = anUploadSession(a, { expiresAt: at(1_000) })
      const older = anUploadSession(b, { expiresAt: at(500) })
      const live = anUploadSession(a, { expiresAt: at(10_000) })
      for (const s of [old, older, live]) await right(h.uploads.create(s))
      expect(await right(h.uploads.expired(at(1_000), 10))).to.deep.equal([
        { accountId: b, uploadId: older.uploadId },
        { accountId: a, uploadId: old.uploadId },
      ])
      expect(await right(h.uploads.expired(at(1_000), 1))).to.have.length(1)
    })

    it('goes with its account', async () => {
      const accountId = await givenAccount()
      const session = anUploadSession(accountId)
      await right(h.uploads.create(session))
      await right(h.accounts.delete(accountId))
      expect(await right(h.uploads.find(accountId, session.uploadId))).to.deep.equal(O.none)
    })
  })

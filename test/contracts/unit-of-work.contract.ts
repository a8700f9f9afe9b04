/**
 * The UnitOfWork contract, run against the in-memory twin and PostgreSQL: a work's writes take effect all
 * together or not at all, nobody sees them before it succeeded, a transaction sees and writes only its own
 * account's rows, and works of one account that take the ledger's lock run one after the other. The ledger's
 * own figures are in quota-ledger.contract.ts, run inside this suite.
 */
import { createHash } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { AccountTransaction } from '../../application/ports/unit-of-work'
import type { Account } from '../../domain/account'
import { firstBrokenLink, genesisHash } from '../../domain/audit'
import type { AccountId } from '../../domain/ids'
import { aDigest, aSession } from '../support/builders'
import { aBackup, aDevice, anAccount, anAuditDraft, at } from '../support/persistence-builders'
import { left, right } from './harness'
import { quotaLedgerContract } from './quota-ledger.contract'
import type { UnitOfWorkHarness } from './unit-of-work.harness'
import { anUploadSession } from './upload-persistence'
import { aResticToken } from './restic-persistence'

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const everything = { limit: 1000, cursor: O.none }
type Refused = Readonly<{ _tag: 'Refused' }>
const refused: Refused = { _tag: 'Refused' }

export const unitOfWorkContract = (name: string, setUp: () => Promise<UnitOfWorkHarness>): Mocha.Suite =>
  describe(`UnitOfWork contract (${name})`, () => {
    let h: UnitOfWorkHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccount = async (overrides: Partial<Account> = {}) => {
      const account = anAccount(overrides)
      await right(h.accounts.create(account))
      const device = aDevice(account.accountId)
      await right(h.devices.add(device))
      return { accountId: account.accountId, device }
    }
    const chain = (accountId: AccountId) => right(h.audit.list(accountId, everything))

    /** A backup, the device seen, an upload session, a login session and an event: one of everything. */
    const writeEverything = (tx: AccountTransaction, accountId: AccountId, deviceId: string) => {
      const backup = aBackup(accountId, deviceId as never)
      const upload = anUploadSession(accountId)
      const session = aSession({ accountId, createdAt: at(10) })
      const written = { backup, upload, session, digest: aDigest() }
      return pipe(
        tx.backups.insert(backup),
        TE.flatMap(() => tx.devices.markSeen(accountId, backup.deviceId, at(60_000))),
        TE.flatMap(() => tx.uploads.create(upload)),
        TE.flatMap(() => tx.sessions.create(session, written.digest)),
        TE.flatMap(() => tx.audit.append(anAuditDraft(accountId, { type: 'backup-uploaded' }), at(60_000))),
        TE.map((event) => ({ ...written, event })),
      )
    }

    const nothingOf = async (
      accountId: AccountId,
      written: Readonly<{ backup: { backupId: string }; upload: { uploadId: string } }>,
    ) => {
      expect(await right(h.backups.find(accountId, written.backup.backupId as never))).to.deep.equal(O.none)
      expect(await right(h.uploads.find(accountId, written.upload.uploadId as never))).to.deep.equal(O.none)
      expect(await chain(accountId)).to.deep.equal([])
    }

    it('makes every write of a successful work visible, and returns its result', async () => {
      const { accountId, device } = await givenAccount()
      const done = await right(
        h.unitOfWork.inAccount(accountId, (tx) => writeEverything(tx, accountId, device.deviceId)),
      )
      expect(await right(h.backups.find(accountId, done.backup.backupId))).to.deep.equal(O.some(done.backup))
      expect(await right(h.devices.find(accountId, device.deviceId))).to.deep.equal(
        O.some({ ...device, lastSeenAt: at(60_000) }),
      )
      expect(await right(h.uploads.find(accountId, done.upload.uploadId))).to.deep.equal(O.some(done.upload))
      expect(await right(h.sessions.findLive(done.session.sessionId, at(20)))).to.deep.equal(
        O.some(done.session),
      )
      expect(await chain(accountId)).to.deep.equal([done.event])
    })

    it('shows nothing of a work to anyone else until it has succeeded, and reads its own writes', async () => {
      const { accountId, device } = await givenAccount()
      const backup = aBackup(accountId, device.deviceId)
      const seen = await right(
        h.unitOfWork.inAccount(accountId, (tx) =>
          pipe(
            tx.backups.insert(backup),
            TE.flatMap(() => tx.backups.find(accountId, backup.backupId)),
            TE.flatMap((inside) =>
              pipe(
                h.backups.find(accountId, backup.backupId),
                TE.map((outside) => ({ inside, outside })),
              ),
            ),
          ),
        ),
      )
      expect(seen).to.deep.equal({ inside: O.some(backup), outside: O.none })
      expect(await right(h.backups.find(accountId, backup.backupId))).to.deep.equal(O.some(backup))
    })

    it('discards every write of a work that ends in a Left, and returns that Left', async () => {
      const { accountId, device } = await givenAccount()
      let written: Parameters<typeof nothingOf>[1] | undefined
      const result = await h.unitOfWork.inAccount(accountId, (tx) =>
        pipe(
          writeEverything(tx, accountId, device.deviceId),
          TE.tap((done) => TE.fromIO(() => void (written = done))),
          TE.flatMap(() => TE.left(refused)),
        ),
      )()
      expect(result).to.deep.equal(E.left(refused))
      await nothingOf(accountId, written!)
      expect(await right(h.devices.find(accountId, device.deviceId))).to.deep.equal(O.some(device))
    })

    it('revokes restic tokens with the rest of the work, or not at all', async () => {
      const { accountId } = await givenAccount()
      const token = aResticToken(accountId, null)
      await right(h.resticTokens.create(token))
      const revoke = (then: TE.TaskEither<Refused, void>) =>
        h.unitOfWork.inAccount(accountId, (tx) =>
          pipe(
            tx.resticTokens.revokeAccount(accountId),
            TE.flatMap(() => then),
          ),
        )()
      expect(await revoke(TE.left(refused))).to.deep.equal(E.left(refused))
      expect(await right(h.resticTokens.list(accountId))).to.deep.equal([token])
      expect(await revoke(TE.right(undefined))).to.deep.equal(E.right(undefined))
      expect(await right(h.resticTokens.list(accountId))).to.deep.equal([])
    })

    it('discards every write of a work that throws, and throws it on', async () => {
      const { accountId, device } = await givenAccount()
      const bug = new Error('a bug in the work')
      let written: Parameters<typeof nothingOf>[1] | undefined
      const outcome = await h.unitOfWork
        .inAccount(accountId, (tx) =>
          pipe(
            writeEverything(tx, accountId, device.deviceId),
            TE.map((done) => {
              written = done
              throw bug
            }),
          ),
        )()
        .then(
          () => 'resolved',
          (e: unknown) => e,
        )
      expect(outcome).to.equal(bug)
      await nothingOf(accountId, written!)
    })

    it("neither sees nor writes another account's rows (row-level security)", async () => {
      const mine = await givenAccount()
      const theirs = await givenAccount()
      const their = aBackup(theirs.accountId, theirs.device.deviceId)
      await right(h.backups.insert(their))
      await right(h.audit.append(anAuditDraft(theirs.accountId), at()))
      const seen = await right(
        h.unitOfWork.inAccount(mine.accountId, (tx) =>
          pipe(
            TE.Do,
            TE.bind('backup', () => tx.backups.find(theirs.accountId, their.backupId)),
            TE.bind('device', () => tx.devices.find(theirs.accountId, theirs.device.deviceId)),
            TE.bind('devices', () => tx.devices.list(theirs.accountId)),
            TE.bind('events', () => tx.audit.list(theirs.accountId, everything)),
            TE.bind('locked', () => tx.quota.lock(theirs.accountId)),
            TE.bind('standing', () => tx.quota.standing(theirs.accountId)),
          ),
        ),
      )
      expect(seen).to.deep.equal({
        backup: O.none,
        device: O.none,
        devices: [],
        events: [],
        locked: O.none,
        standing: O.none,
      })
      const smuggled = aBackup(theirs.accountId, theirs.device.deviceId)
      const refusedWrite = await left(
        h.unitOfWork.inAccount(mine.accountId, (tx) => tx.backups.insert(smuggled)),
      )
      expect(refusedWrite._tag).to.equal('Unavailable')
      expect(await right(h.backups.find(theirs.accountId, smuggled.backupId))).to.deep.equal(O.none)
    })

    it('runs works of one account that take the lock one at a time: the quota is never overdrawn', async () => {
      const { accountId, device } = await givenAccount({ quotaLimitBytes: 1000 })
      const upload = (i: number) =>
        h.unitOfWork.inAccount(accountId, (tx) =>
          pipe(
            tx.quota.lock(accountId),
            TE.flatMap(() => tx.quota.usage(accountId)),
            TE.filterOrElseW(
              ({ usedBytes, reservedBytes }) => usedBytes + reservedBytes + 100 <= 1000,
              () => refused,
            ),
            TE.flatMap(() => tx.backups.insert(aBackup(accountId, device.deviceId, { sizeBytes: 100 }))),
            TE.flatMap(() => tx.audit.append(anAuditDraft(accountId, { type: 'backup-uploaded' }), at(i))),
          ),
        )()
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => upload(i)))
      expect(results.filter(E.isRight)).to.have.length(10)
      expect(results.filter(E.isLeft).map((r) => r.left)).to.deep.equal([refused, refused])
      const events = await chain(accountId)
      expect(events).to.have.length(10)
      expect(events[0]!.prevHash).to.equal(genesisHash)
      expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
    })

    it('keeps the chain unbroken when logins in works and single appends of one account run at once', async () => {
      const { accountId } = await givenAccount()
      const login = (i: number) =>
        h.unitOfWork.inAccount(accountId, (tx) =>
          pipe(
            tx.quota.lock(accountId),
            TE.flatMap(() => tx.sessions.create(aSession({ accountId, createdAt: at(i) }), aDigest())),
            TE.flatMap(() => tx.audit.append(anAuditDraft(accountId, { type: 'login' }), at(i))),
          ),
        )
      await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => right(login(i))),
        right(h.audit.append(anAuditDraft(accountId, { type: 'device-added' }), at(50))),
        right(h.audit.append(anAuditDraft(accountId, { type: 'device-added' }), at(51))),
      ])
      const events = await chain(accountId)
      expect(events.filter((e) => e.type === 'login')).to.have.length(6)
      expect(events).to.have.length(8)
      expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
    })

    it('refuses writes through a transaction that has ended', async () => {
      const { accountId, device } = await givenAccount()
      let kept: AccountTransaction | undefined
      await right(h.unitOfWork.inAccount(accountId, (tx) => TE.fromIO(() => void (kept = tx))))
      const late = aBackup(accountId, device.deviceId)
      expect((await left(kept!.backups.insert(late)))._tag).to.equal('Unavailable')
      expect(await right(h.backups.find(accountId, late.backupId))).to.deep.equal(O.none)
    })

    it('does nothing until the task is run', async () => {
      const { accountId, device } = await givenAccount()
      const backup = aBackup(accountId, device.deviceId)
      const work = h.unitOfWork.inAccount(accountId, (tx) => tx.backups.insert(backup))
      expect(await right(h.backups.find(accountId, backup.backupId))).to.deep.equal(O.none)
      await right(work)
      expect(await right(h.backups.find(accountId, backup.backupId))).to.deep.equal(O.some(backup))
    })

    quotaLedgerContract(() => h)
  })

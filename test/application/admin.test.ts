import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type * as T from 'fp-ts/Task'
import { makeAdminUseCases, type AdminUseCases } from '../../application/admin'
import { inMemoryBackfillJobs } from '../../adapters/in-memory/in-memory-backfill-jobs'
import { inMemoryBlobStore } from '../../adapters/in-memory/in-memory-blob-store'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemoryMaintenanceQueries } from '../../adapters/in-memory/in-memory-maintenance-queries'
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryDeviceRepository } from '../../adapters/in-memory/in-memory-device-repository'
import { inMemoryAuditRepository } from '../../adapters/in-memory/in-memory-audit-repository'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import { inMemoryUnitOfWork } from '../../adapters/in-memory/in-memory-unit-of-work'
import { invalidRecoveryProof, unauthenticated } from '../../domain/errors'
import { type ControllableClock, controllableClock } from '../support/controllable-clock'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import { addDevice, callerFor, fails, logIn, ok, register, type Registered } from '../support/test-client'

const ctx = { requestId: 'req-admin' }
const operator = { requestId: 'zkeb-admin:test' }

describe('admin use cases @memory', () => {
  let z: InMemoryZkeb
  let admin: AdminUseCases
  let waits: number[]
  let alice: Registered
  let clock: ControllableClock

  beforeEach(async () => {
    const db = inMemoryDatabase()
    clock = controllableClock()
    const blobs = inMemoryBlobStore(() => clock.now())
    const sessions = inMemorySessionStore()
    const overrides = {
      clock,
      sessions,
      unitOfWork: inMemoryUnitOfWork(db, sessions),
      accounts: inMemoryAccountRepository(db),
      backups: inMemoryBackupRepository(db),
      devices: inMemoryDeviceRepository(db),
      audit: inMemoryAuditRepository(db),
      blobs,
    }
    z = await inMemoryZkeb(overrides)
    waits = []
    admin = makeAdminUseCases({
      ...z.ports,
      backfills: inMemoryBackfillJobs(db, clock),
      maintenance: inMemoryMaintenanceQueries(db, blobs),
      throttle: {
        wait:
          (ms): T.Task<void> =>
          () =>
            Promise.resolve(void waits.push(ms)),
      },
    })
    alice = await register(z.useCases)
  })

  it('disabling ends every session at once and refuses new logins and recoveries as it would an unknown user', async () => {
    const { accessToken, refreshToken } = await logIn(z.useCases, alice)
    const view = await ok(admin.disableAccount({ username: alice.username }, operator))
    expect(view.disabledAt).to.be.instanceOf(Date)

    expect(await fails(z.useCases.authenticate(accessToken, ctx))).to.deep.equal(unauthenticated)
    expect(await z.useCases.refreshSession({ refreshToken } as never, ctx)()).to.satisfy(E.isLeft)
    // The server answers with a fake OPAQUE response, exactly as for an unknown username: the client rejects it.
    const refused = (e: Error) => e.message
    const unknown = { username: 'nobody-at-all' as never, password: alice.password }
    const asUnknown = await logIn(z.useCases, unknown).catch(refused)
    expect(await logIn(z.useCases, alice).catch(refused))
      .to.be.a('string')
      .and.equal(asUnknown)
    expect(
      await fails(
        z.useCases.startRecovery(
          { username: alice.username, recoveryProof: alice.recoveryProof } as never,
          ctx,
        ),
      ),
    ).to.deep.equal(invalidRecoveryProof)
    // Disabling again keeps the first time.
    expect(
      (await ok(admin.disableAccount({ accountId: alice.accountId }, operator))).disabledAt,
    ).to.deep.equal(view.disabledAt)
  })

  it('sets the quota limit the next upload is checked against, keeping the key bundle version', async () => {
    const view = await ok(admin.setAccountQuota({ accountId: alice.accountId }, 42, operator))
    expect(view.quota).to.deep.equal({ limitBytes: 42, usedBytes: 0 })
    expect(view.keyBundleVersion).to.equal(1)
  })

  it('enabling undoes a disabling: the account logs in again; each change is one operator event in its trail', async () => {
    await ok(admin.disableAccount({ username: alice.username }, operator))
    await ok(admin.disableAccount({ username: alice.username }, operator))
    expect((await ok(admin.enableAccount({ accountId: alice.accountId }, operator))).disabledAt).to.equal(
      null,
    )
    await ok(admin.enableAccount({ accountId: alice.accountId }, operator))
    await ok(admin.setAccountQuota({ accountId: alice.accountId }, 7, operator))
    await ok(admin.setAccountQuota({ accountId: alice.accountId }, 7, operator))
    await ok(admin.revokeAccountSessions({ username: alice.username }, operator))
    const caller = await callerFor(z.useCases, alice)
    const { items } = await ok(z.useCases.listAudit({ limit: 100 as never }, caller))
    const byOperator = items.filter((e) => e.requestId === operator.requestId)
    // A change that changes nothing (disabled twice, enabled twice, the same limit) records nothing.
    expect(byOperator.map((e) => e.type)).to.deep.equal([
      'operator-account-disabled',
      'operator-account-enabled',
      'operator-quota-changed',
      'operator-sessions-revoked',
    ])
    expect(byOperator.every((e) => e.deviceId === null)).to.equal(true)
  })

  it('deletes the account and all it owns; lists devices without names; lists accounts by username', async () => {
    const bob = await register(z.useCases)
    const device = await addDevice(z.useCases, await callerFor(z.useCases, bob))
    const { devices } = await ok(admin.listAccountDevices({ username: bob.username }))
    expect(devices.map((d) => Object.keys(d).sort())).to.deep.equal([
      ['createdAt', 'deviceId', 'lastSeenAt', 'revokedAt'],
    ])
    expect(devices[0]?.deviceId).to.equal(device.device.deviceId)
    const page = await ok(admin.listAccounts({ after: O.none, limit: 1 }))
    const names = [alice.username, bob.username].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
    expect(page.items.map((a) => a.username)).to.deep.equal(names.slice(0, 1))
    expect(page.nextCursor).to.equal(names[0])
    expect(await ok(admin.deleteAccount({ username: bob.username }, operator))).to.deep.equal({
      accountId: bob.accountId,
      username: bob.username,
    })
    expect(await fails(admin.showAccount({ accountId: bob.accountId }))).to.deep.equal({
      _tag: 'AccountNotFound',
    })
    expect((await ok(admin.listAccounts({ after: O.none, limit: 10 }))).items).to.have.length(1)
  })

  it('answers AccountNotFound for an unknown account', async () => {
    expect(await fails(admin.showAccount({ username: 'nobody-here' as never }))).to.deep.equal({
      _tag: 'AccountNotFound',
    })
  })

  it('runs a backfill in batches with a throttle between them, reporting progress, until done', async () => {
    await register(z.useCases)
    await register(z.useCases)
    const seen: number[] = []
    const job = await ok(
      admin.runBackfill('accounts-used-bytes', {
        batchSize: 1,
        throttleMs: 7,
        onProgress: (p) => seen.push(p.job.processed),
      }),
    )
    expect(job).to.include({ state: 'done', processed: 3, batches: 4 })
    expect(seen).to.deep.equal([1, 2, 3, 3])
    expect(waits).to.deep.equal([7, 7, 7])
  })

  it('stops at a pause with BackfillPaused, and a resumed run continues where it was', async () => {
    let paused = false
    const result = await admin.runBackfill('accounts-used-bytes', {
      batchSize: 1,
      onProgress: () => {
        if (!paused)
          void admin
            .pauseBackfill('accounts-used-bytes', true)()
            .then(() => (paused = true))
      },
    })()
    expect(result).to.deep.equal(E.left({ _tag: 'BackfillPaused', name: 'accounts-used-bytes' }))
    await ok(admin.pauseBackfill('accounts-used-bytes', false))
    expect(await ok(admin.runBackfill('accounts-used-bytes'))).to.include({ state: 'done', processed: 1 })
    expect(await fails(admin.runBackfill('nope'))).to.deep.equal({ _tag: 'BackfillNotFound', name: 'nope' })
  })

  it('gc-blobs runs the one blob collector: grace override, dry run, progress, with the settings as default', async () => {
    const write = (id: string) =>
      ok(z.ports.blobs.write(alice.accountId, id as never, [new Uint8Array(3)].values() as never))
    await write('00000000-0000-4000-8000-000000000001')
    clock.advance(1000)
    // Without an override the settings' grace (a day) applies: a second-old blob stays.
    expect(await ok(admin.collectGarbageBlobs())).to.deep.equal({ unreferenced: 0, collected: 0 })
    const seen: unknown[] = []
    const dry = admin.collectGarbageBlobs({ graceSeconds: 0, dryRun: true, onProgress: (p) => seen.push(p) })
    expect(await ok(dry)).to.deep.equal({ unreferenced: 1, collected: 0 })
    expect(seen).to.deep.equal([{ unreferenced: 1, collected: 0 }])
    expect(await ok(admin.getServiceStats())).to.include({ blobs: 1 })
    expect(await ok(admin.collectGarbageBlobs({ graceSeconds: 0 }))).to.deep.equal({
      unreferenced: 1,
      collected: 1,
    })
    expect(await ok(admin.getServiceStats())).to.include({ accounts: 1, blobs: 0 })
  })
})

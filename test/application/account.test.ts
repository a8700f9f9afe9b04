import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import sinon from 'sinon'
import * as TE from 'fp-ts/TaskEither'
import type { Caller } from '../../application/context'
import { unavailable } from '../../application/errors'
import type { OpaqueMessage } from '../../application/shared'
import { accountNotFound, invalidRecoveryProof, unauthenticated, versionMismatch } from '../../domain/errors'
import type { BearerSecret } from '../../domain/ids'
import { seconds } from '../support/controllable-clock'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import {
  addDevice,
  aRandomKeyBundle,
  callerFor,
  fails,
  inPieces,
  logIn,
  ok,
  opaqueRecord,
  type Registered,
  register,
  anUpload,
  startLogin,
} from '../support/test-client'

const ctx = { requestId: 'req-account' }
const b64 = (n: number) => randomBytes(n).toString('base64url')
const auditTypes = async (z: InMemoryZkeb, caller: Caller) =>
  (await ok(z.useCases.listAudit({ limit: 200 } as never, caller))).items.map((e) => e.type)
/** A full restic token made by `caller`; its secret opens the account's repositories while the token lives. */
const resticTokenOf = async (z: InMemoryZkeb, caller: Caller) =>
  (await ok(z.useCases.createResticToken({ appendOnly: false }, caller))).secret
const resticWorks = async (z: InMemoryZkeb, who: Registered, secret: string) =>
  (await z.useCases.authenticateRestic(who.username, secret, 'laptop', ctx)())._tag === 'Right'

describe('account lifecycle', () => {
  let z: InMemoryZkeb
  beforeEach(async () => {
    z = await inMemoryZkeb()
  })
  afterEach(() => sinon.restore())

  describe('key bundle', () => {
    it('replaces the bundle when the version matches and records it', async () => {
      const caller = await callerFor(z.useCases, await register(z.useCases))
      const out = await ok(
        z.useCases.updateKeyBundle({ expectedVersion: 1, keyBundle: aRandomKeyBundle() } as never, caller),
      )
      expect(out).to.deep.equal({ keyBundleVersion: 2 })
      expect(await auditTypes(z, caller)).to.include('key-bundle-updated')
    })

    it('refuses a stale version with the current one', async () => {
      const caller = await callerFor(z.useCases, await register(z.useCases))
      const input = { expectedVersion: 0, keyBundle: aRandomKeyBundle() } as never
      expect(await fails(z.useCases.updateKeyBundle(input, caller))).to.deep.equal(versionMismatch(1))
    })

    it('answers AccountNotFound once the account is gone', async () => {
      const caller = await callerFor(z.useCases, await register(z.useCases))
      await ok(z.ports.accounts.delete(caller.accountId))
      expect(await fails(z.useCases.getAccount(caller))).to.deep.equal(accountNotFound)
    })
  })

  describe('password change', () => {
    const changePassword = async (who: Registered, caller: Caller, newPassword: string) => {
      const registrationRecord = await opaqueRecord(
        async (registrationRequest) =>
          (
            await ok(
              z.useCases.startPasswordChange(
                { registrationRequest: registrationRequest as OpaqueMessage },
                caller,
              ),
            )
          ).registrationResponse,
        newPassword,
      )
      const { keyBundleVersion } = await ok(z.useCases.getAccount(caller))
      return z.useCases.finishPasswordChange(
        { expectedVersion: keyBundleVersion, registrationRecord, passwordWrappedUmk: b64(60) } as never,
        caller,
      )
    }

    it('switches to the new password, keeps the caller’s session and ends the others', async () => {
      const who = await register(z.useCases)
      const other = await logIn(z.useCases, who)
      const caller = await callerFor(z.useCases, who)
      expect(await ok(await changePassword(who, caller, 'new password'))).to.deep.equal({
        keyBundleVersion: 2,
      })
      expect((await logIn(z.useCases, { ...who, password: 'new password' })).accountId).to.equal(
        who.accountId,
      )
      expect(await ok(z.ports.sessions.findLive(caller.sessionId, z.clock.now()))).to.not.deep.equal(O.none)
      expect(await fails(z.useCases.authenticate(other.accessToken, ctx))).to.deep.equal(unauthenticated)
      // The client itself notices: the server's response no longer matches the old password.
      expect((await startLogin(z.useCases, who.username, who.password)).finishLoginRequest).to.equal(
        undefined,
      )
      expect(await auditTypes(z, caller)).to.include('password-changed')
    })

    it('ends the restic tokens of every other session and device, keeping the caller’s own', async () => {
      const who = await register(z.useCases)
      const phished = await callerFor(z.useCases, who)
      const { device } = await addDevice(z.useCases, phished)
      const onDevice = await callerFor(z.useCases, who, device.deviceId)
      const caller = await callerFor(z.useCases, who)
      const [theirs, theirDevice, mine] = [
        await resticTokenOf(z, phished),
        await resticTokenOf(z, onDevice),
        await resticTokenOf(z, caller),
      ]
      await ok(await changePassword(who, caller, 'new password'))
      expect(await resticWorks(z, who, theirs)).to.equal(false)
      expect(await resticWorks(z, who, theirDevice)).to.equal(false)
      expect(await resticWorks(z, who, mine)).to.equal(true)
      expect((await ok(z.useCases.listResticTokens(caller))).length).to.equal(1)
    })

    it('keeps every restic token when the change is refused', async () => {
      const who = await register(z.useCases)
      const other = await callerFor(z.useCases, who)
      const caller = await callerFor(z.useCases, who)
      const theirs = await resticTokenOf(z, other)
      await ok(
        z.useCases.updateKeyBundle({ expectedVersion: 1, keyBundle: aRandomKeyBundle() } as never, caller),
      )
      const input = { expectedVersion: 1, registrationRecord: b64(192), passwordWrappedUmk: b64(60) } as never
      expect(await fails(z.useCases.finishPasswordChange(input, caller))).to.deep.equal(versionMismatch(2))
      expect(await resticWorks(z, who, theirs)).to.equal(true)
    })

    it('refuses a stale version and changes nothing', async () => {
      const who = await register(z.useCases)
      const caller = await callerFor(z.useCases, who)
      await ok(
        z.useCases.updateKeyBundle({ expectedVersion: 1, keyBundle: aRandomKeyBundle() } as never, caller),
      )
      const record = b64(192)
      const input = { expectedVersion: 1, registrationRecord: record, passwordWrappedUmk: b64(60) } as never
      expect(await fails(z.useCases.finishPasswordChange(input, caller))).to.deep.equal(versionMismatch(2))
      expect((await logIn(z.useCases, who)).accountId).to.equal(who.accountId)
    })

    it('refuses a malformed registration request', async () => {
      const caller = await callerFor(z.useCases, await register(z.useCases))
      const input = { registrationRequest: 'AAAA' as OpaqueMessage }
      expect((await fails(z.useCases.startPasswordChange(input, caller)))._tag).to.equal(
        'InvalidProtocolMessage',
      )
    })
  })

  describe('recovery', () => {
    const recover = async (who: Registered, newPassword: string) => {
      const { recoveryToken } = await ok(
        z.useCases.startRecovery({ username: who.username, recoveryProof: who.recoveryProof } as never, ctx),
      )
      const registrationRecord = await opaqueRecord(
        async (registrationRequest) =>
          (
            await ok(
              z.useCases.startRegistration(
                { username: who.username, registrationRequest: registrationRequest as OpaqueMessage },
                ctx,
              ),
            )
          ).registrationResponse,
        newPassword,
      )
      return { recoveryToken, registrationRecord }
    }

    it('lets the recovery key set a new password and ends every session', async () => {
      const who = await register(z.useCases)
      const before = await logIn(z.useCases, who)
      const { recoveryToken, registrationRecord } = await recover(who, 'recovered pw')
      const wrap = b64(60)
      const out = await ok(
        z.useCases.finishRecovery(
          { recoveryToken, registrationRecord, passwordWrappedUmk: wrap } as never,
          ctx,
        ),
      )
      expect(out).to.deep.equal({ keyBundleVersion: 2 })
      expect(await fails(z.useCases.authenticate(before.accessToken, ctx))).to.deep.equal(unauthenticated)
      const caller = await callerFor(z.useCases, { ...who, password: 'recovered pw' })
      const view = await ok(z.useCases.getAccount(caller))
      expect(view.keyBundle).to.deep.equal({ ...who.keyBundle, passwordWrappedUmk: wrap })
      expect(await auditTypes(z, caller)).to.include('recovered')
    })

    it('ends every restic token, whichever session or device made it', async () => {
      const who = await register(z.useCases)
      const phished = await callerFor(z.useCases, who)
      const { device } = await addDevice(z.useCases, phished)
      const secrets = [
        await resticTokenOf(z, phished),
        await resticTokenOf(z, await callerFor(z.useCases, who, device.deviceId)),
      ]
      const { recoveryToken, registrationRecord } = await recover(who, 'recovered pw')
      const input = { recoveryToken, registrationRecord, passwordWrappedUmk: b64(60) } as never
      await ok(z.useCases.finishRecovery(input, ctx))
      for (const secret of secrets) expect(await resticWorks(z, who, secret)).to.equal(false)
      const caller = await callerFor(z.useCases, { ...who, password: 'recovered pw' })
      expect(await ok(z.useCases.listResticTokens(caller))).to.deep.equal([])
    })

    it('accepts a recovery token only once', async () => {
      const who = await register(z.useCases)
      const { recoveryToken, registrationRecord } = await recover(who, 'pw2')
      const input = { recoveryToken, registrationRecord, passwordWrappedUmk: b64(60) } as never
      await ok(z.useCases.finishRecovery(input, ctx))
      expect(await fails(z.useCases.finishRecovery(input, ctx))).to.deep.equal(invalidRecoveryProof)
    })

    it('refuses a recovery token after ten minutes', async () => {
      const who = await register(z.useCases)
      const { recoveryToken, registrationRecord } = await recover(who, 'pw2')
      z.clock.advance(seconds(601))
      const input = { recoveryToken, registrationRecord, passwordWrappedUmk: b64(60) } as never
      expect(await fails(z.useCases.finishRecovery(input, ctx))).to.deep.equal(invalidRecoveryProof)
    })

    it('refuses a login token used as a recovery token', async () => {
      const who = await register(z.useCases)
      const { loginId } = await startLogin(z.useCases, who.username, who.password)
      const input = {
        recoveryToken: loginId as BearerSecret,
        registrationRecord: b64(192),
        passwordWrappedUmk: b64(60),
      }
      expect(await fails(z.useCases.finishRecovery(input as never, ctx))).to.deep.equal(invalidRecoveryProof)
    })

    it('hands back the recovery-wrapped UMK and its version with the token for a correct proof', async () => {
      const who = await register(z.useCases)
      const started = await ok(
        z.useCases.startRecovery({ username: who.username, recoveryProof: who.recoveryProof } as never, ctx),
      )
      expect(started).to.have.all.keys('recoveryToken', 'recoveryWrappedUmk', 'keyBundleVersion')
      expect(started.recoveryWrappedUmk).to.equal(who.keyBundle.recoveryWrappedUmk)
      expect(started.keyBundleVersion).to.equal(1)
      expect(started.recoveryToken).to.match(/^[A-Za-z0-9_-]{43}$/)
    })

    it('reports the current bundle version, so a client can tell the bundle changed meanwhile', async () => {
      const who = await register(z.useCases)
      const caller = await callerFor(z.useCases, who)
      const keyBundle = aRandomKeyBundle()
      await ok(z.useCases.updateKeyBundle({ expectedVersion: 1, keyBundle } as never, caller))
      const started = await ok(
        z.useCases.startRecovery({ username: who.username, recoveryProof: who.recoveryProof } as never, ctx),
      )
      expect(started.recoveryWrappedUmk).to.equal(keyBundle.recoveryWrappedUmk)
      expect(started.keyBundleVersion).to.equal(2)
    })

    it('fails a wrong proof and an unknown username alike', async () => {
      const who = await register(z.useCases)
      const wrong = { username: who.username, recoveryProof: b64(32) } as never
      const unknown = { username: 'nobody-here', recoveryProof: who.recoveryProof } as never
      expect(await fails(z.useCases.startRecovery(wrong, ctx))).to.deep.equal(invalidRecoveryProof)
      expect(await fails(z.useCases.startRecovery(unknown, ctx))).to.deep.equal(invalidRecoveryProof)
    })

    it('gives a wrong proof neither the recovery-wrapped UMK nor a usable token', async () => {
      const who = await register(z.useCases)
      const put = sinon.spy(z.ports.loginStates, 'put')
      const wrong = { username: who.username, recoveryProof: b64(32) } as never
      const refused = await z.useCases.startRecovery(wrong, ctx)()
      expect(refused).to.deep.equal({ _tag: 'Left', left: invalidRecoveryProof })
      expect(JSON.stringify(refused)).not.to.include(who.keyBundle.recoveryWrappedUmk)
      expect(put.callCount).to.equal(0)
    })

    it('builds on a key bundle changed between start and finish, under the account’s lock', async () => {
      const who = await register(z.useCases)
      const caller = await callerFor(z.useCases, who)
      const { recoveryToken, registrationRecord } = await recover(who, 'pw3')
      await ok(
        z.useCases.updateKeyBundle({ expectedVersion: 1, keyBundle: aRandomKeyBundle() } as never, caller),
      )
      const input = { recoveryToken, registrationRecord, passwordWrappedUmk: b64(60) } as never
      expect(await ok(z.useCases.finishRecovery(input, ctx))).to.deep.equal({ keyBundleVersion: 3 })
    })

    it('verifies against SHA-256 of the proof', () => {
      const proof = randomBytes(32)
      expect(z.ports.hasher.sha256Hex(proof)).to.equal(createHash('sha256').update(proof).digest('hex'))
    })
  })

  describe('deletion', () => {
    it('erases backups, blobs, devices and sessions of the account only', async () => {
      const who = await register(z.useCases)
      const stranger = await callerFor(z.useCases, await register(z.useCases))
      const caller = await callerFor(z.useCases, who)
      const { device, key } = await addDevice(z.useCases, caller)
      const up = anUpload(device.deviceId, key)
      const { backup } = await ok(z.useCases.uploadBackup(up.input, inPieces(up.content), caller))
      await ok(z.useCases.deleteAccount(caller))
      expect((await startLogin(z.useCases, who.username, who.password)).finishLoginRequest).to.equal(
        undefined,
      )
      expect(await ok(z.ports.sessions.findLive(caller.sessionId, z.clock.now()))).to.deep.equal(O.none)
      expect(await ok(z.ports.backups.find(who.accountId, backup.backupId))).to.deep.equal(O.none)
      expect(await ok(z.ports.devices.list(who.accountId))).to.deep.equal([])
      const read = async () => {
        for await (const _ of z.ports.blobs.read(who.accountId, backup.blobId)) void _
      }
      expect(
        await read().then(
          () => 'read',
          () => 'gone',
        ),
      ).to.equal('gone')
      expect((await ok(z.useCases.getAccount(stranger))).accountId).to.equal(stranger.accountId)
    })

    it('keeps the session when the blob store fails, so the caller can retry', async () => {
      const caller = await callerFor(z.useCases, await register(z.useCases))
      sinon.stub(z.ports.blobs, 'deleteAccount').returns(TE.left(unavailable('blobs')(new Error('down'))))
      expect((await fails(z.useCases.deleteAccount(caller)))._tag).to.equal('Unavailable')
      expect((await ok(z.useCases.getAccount(caller))).accountId).to.equal(caller.accountId)
    })
  })
})

/** The ResticTokenRepository contract, run against every adapter. */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { SessionId, Username } from '../../domain/ids'
import type { ResticRepoName } from '../../domain/restic'
import { aSessionId } from '../support/builders'
import { aDevice, anAccount, at } from '../support/persistence-builders'
import { right } from './harness'
import { aResticToken, aSha256, type ResticHarness } from './restic-persistence'

export const resticTokenRepositoryContract = (
  name: string,
  setUp: () => Promise<ResticHarness>,
): Mocha.Suite =>
  describe(`ResticTokenRepository contract (${name})`, () => {
    let h: ResticHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccountWithDevice = async () => {
      const account = anAccount()
      await right(h.accounts.create(account))
      const device = aDevice(account.accountId)
      await right(h.devices.add(device))
      return { account, device }
    }

    it('lists what was created, oldest first, with millisecond times', async () => {
      const { account, device } = await givenAccountWithDevice()
      const second = aResticToken(account.accountId, device.deviceId, {
        createdAt: at(5),
        appendOnly: true,
        sessionId: aSessionId(),
        repo: 'laptop' as ResticRepoName,
      })
      const first = aResticToken(account.accountId, null, { createdAt: at(1) })
      await right(h.resticTokens.create(second))
      await right(h.resticTokens.create(first))
      expect(await right(h.resticTokens.list(account.accountId))).to.deep.equal([first, second])
    })

    it('grants a token to its username in any letter case, and to nothing else', async () => {
      const { account, device } = await givenAccountWithDevice()
      const token = aResticToken(account.accountId, device.deviceId, {
        appendOnly: true,
        repo: 'laptop' as ResticRepoName,
      })
      await right(h.resticTokens.create(token))
      const grant = {
        tokenId: token.tokenId,
        accountId: account.accountId,
        deviceId: device.deviceId,
        appendOnly: true,
        repo: 'laptop',
      }
      const upper = account.username.toUpperCase() as Username
      expect(await right(h.resticTokens.findGrant(upper, token.secretSha256))).to.deep.equal(O.some(grant))
      expect(await right(h.resticTokens.findGrant(account.username, aSha256()))).to.deep.equal(O.none)
      const other = anAccount()
      await right(h.accounts.create(other))
      expect(await right(h.resticTokens.findGrant(other.username, token.secretSha256))).to.deep.equal(O.none)
    })

    it('stops granting once the token’s device is revoked', async () => {
      const { account, device } = await givenAccountWithDevice()
      const token = aResticToken(account.accountId, device.deviceId)
      await right(h.resticTokens.create(token))
      await right(h.devices.save({ ...device, revokedAt: O.some(at(9)) }))
      expect(await right(h.resticTokens.findGrant(account.username, token.secretSha256))).to.deep.equal(
        O.none,
      )
    })

    it('revokes a token of its own account only, once', async () => {
      const { account } = await givenAccountWithDevice()
      const token = aResticToken(account.accountId, null)
      await right(h.resticTokens.create(token))
      const other = anAccount()
      await right(h.accounts.create(other))
      expect(await right(h.resticTokens.revoke(other.accountId, token.tokenId))).to.equal(false)
      expect(O.isSome(await right(h.resticTokens.findGrant(account.username, token.secretSha256)))).to.equal(
        true,
      )
      expect(await right(h.resticTokens.revoke(account.accountId, token.tokenId))).to.equal(true)
      expect(await right(h.resticTokens.revoke(account.accountId, token.tokenId))).to.equal(false)
      expect(await right(h.resticTokens.findGrant(account.username, token.secretSha256))).to.deep.equal(
        O.none,
      )
      expect(await right(h.resticTokens.list(account.accountId))).to.deep.equal([])
    })

    it('revokes every token of the account but the kept session’s, and no other account’s', async () => {
      const { account, device } = await givenAccountWithDevice()
      const keep = aSessionId()
      const kept = aResticToken(account.accountId, device.deviceId, { sessionId: keep, createdAt: at(1) })
      const doomed = [
        aResticToken(account.accountId, device.deviceId, { sessionId: aSessionId() }),
        aResticToken(account.accountId, null, { sessionId: null }),
      ]
      const other = anAccount()
      await right(h.accounts.create(other))
      const elsewhere = aResticToken(other.accountId, null, { sessionId: keep })
      for (const token of [kept, ...doomed, elsewhere]) await right(h.resticTokens.create(token))
      expect(await right(h.resticTokens.revokeAccount(account.accountId, keep))).to.equal(2)
      expect(await right(h.resticTokens.list(account.accountId))).to.deep.equal([kept])
      expect(await right(h.resticTokens.revokeAccount(account.accountId))).to.equal(1)
      expect(await right(h.resticTokens.list(account.accountId))).to.deep.equal([])
      expect(await right(h.resticTokens.list(other.accountId))).to.deep.equal([elsewhere])
      const none: SessionId | undefined = undefined
      expect(await right(h.resticTokens.revokeAccount(account.accountId, none))).to.equal(0)
    })

    it('lists one account’s tokens only, and forgets them with the account', async () => {
      const { account } = await givenAccountWithDevice()
      const other = anAccount()
      await right(h.accounts.create(other))
      const token = aResticToken(other.accountId, null)
      await right(h.resticTokens.create(token))
      expect(await right(h.resticTokens.list(account.accountId))).to.deep.equal([])
      await right(h.accounts.delete(other.accountId))
      expect(await right(h.resticTokens.findGrant(other.username, token.secretSha256))).to.deep.equal(O.none)
    })

    it('does nothing until the task is run', async () => {
      const { account } = await givenAccountWithDevice()
      void h.resticTokens.create(aResticToken(account.accountId, null))
      expect(await right(h.resticTokens.list(account.accountId))).to.deep.equal([])
    })
  })

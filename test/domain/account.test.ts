import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { replaceKeyBundle, replacePassword } from '../../domain/account'
import { versionMismatch } from '../../domain/errors'
import { aKeyBundle, anAccount, opaqueBytes } from '../support/builders'

describe('account', () => {
  it('replaces the key bundle when the caller saw the current version, and bumps it', () => {
    const account = anAccount({ keyBundleVersion: 3 })
    const keyBundle = aKeyBundle()
    expect(replaceKeyBundle(account, 3, keyBundle)).to.deep.equal(
      E.right({ ...account, keyBundle, keyBundleVersion: 4 }),
    )
  })

  it('refuses a stale version and reports the current one', () => {
    expect(replaceKeyBundle(anAccount({ keyBundleVersion: 3 }), 2, aKeyBundle())).to.deep.equal(
      E.left(versionMismatch(3)),
    )
  })

  it('changes the OPAQUE record and password wrap on a password change, keeping the recovery wrap', () => {
    const account = anAccount({ keyBundleVersion: 1 })
    const record = opaqueBytes(192)
    const wrap = opaqueBytes(60)
    const changed = replacePassword(account, record, wrap)
    expect(changed.opaqueRecord).to.equal(record)
    expect(changed.keyBundle).to.deep.equal({
      passwordWrappedUmk: wrap,
      recoveryWrappedUmk: account.keyBundle.recoveryWrappedUmk,
    })
    expect(changed.keyBundleVersion).to.equal(2)
  })
})

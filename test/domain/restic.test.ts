import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type { AccountId, Sha256Hex } from '../../domain/ids'
import {
  ensureMayDelete,
  grantReaches,
  ensureNameMatches,
  resticAppendOnly,
  type ResticGrant,
  resticNameMismatch,
  ResticObjectRef,
  ResticRepoName,
  type ResticTokenId,
} from '../../domain/restic'

const hex = 'ab'.repeat(32)
const grant = (appendOnly: boolean): ResticGrant => ({
  tokenId: '00000000-0000-4000-8000-000000000000' as ResticTokenId,
  accountId: '00000000-0000-4000-8000-000000000001' as AccountId,
  deviceId: null,
  appendOnly,
  repo: null,
})

describe('restic domain', () => {
  it('accepts plain one-segment repository names and refuses paths, dots and reserved names', () => {
    for (const name of ['laptop', 'a', 'my.repo_2-x', 'A'.repeat(64)])
      expect(ResticRepoName.is(name), name).to.equal(true)
    for (const name of [
      '',
      '.',
      '..',
      '.hidden',
      'a/b',
      'a%2fb',
      'data',
      'config',
      'locks',
      'A'.repeat(65),
      'ä',
    ])
      expect(ResticRepoName.is(name), name).to.equal(false)
  })

  it('accepts 64 lowercase hex names for folder types and only "config" for the config', () => {
    const ok = [
      { repo: 'r', type: 'data', name: hex },
      { repo: 'r', type: 'locks', name: hex },
      { repo: 'r', type: 'config', name: 'config' },
    ]
    const bad = [
      { repo: 'r', type: 'data', name: hex.toUpperCase() },
      { repo: 'r', type: 'data', name: hex.slice(2) },
      { repo: 'r', type: 'data', name: 'config' },
      { repo: 'r', type: 'config', name: hex },
      { repo: 'r', type: 'tmp', name: hex },
      { repo: '..', type: 'data', name: hex },
    ]
    for (const ref of ok) expect(E.isRight(ResticObjectRef.decode(ref)), JSON.stringify(ref)).to.equal(true)
    for (const ref of bad) expect(ResticObjectRef.is(ref), JSON.stringify(ref)).to.equal(false)
  })

  it('lets a grant scoped to a repository reach that one only, and an unscoped grant every one', () => {
    const scoped = { ...grant(false), repo: 'laptop' as ResticRepoName }
    expect(grantReaches(scoped, 'laptop')).to.equal(true)
    expect(grantReaches(scoped, 'other')).to.equal(false)
    expect(grantReaches(scoped, 'Laptop')).to.equal(false)
    expect(grantReaches(grant(false), 'anything')).to.equal(true)
  })

  it('lets append-only grants delete locks only', () => {
    for (const type of ['data', 'keys', 'snapshots', 'index', 'config'] as const) {
      expect(ensureMayDelete(grant(true), type)).to.deep.equal(E.left(resticAppendOnly))
      expect(ensureMayDelete(grant(false), type)).to.deep.equal(E.right(undefined))
    }
    expect(ensureMayDelete(grant(true), 'locks')).to.deep.equal(E.right(undefined))
  })

  it('requires every object but the config to be named by the SHA-256 of its bytes', () => {
    const ref = { repo: 'r' as ResticRepoName, type: 'data' as const, name: hex }
    expect(ensureNameMatches(ref, hex as Sha256Hex)).to.deep.equal(E.right(undefined))
    expect(ensureNameMatches(ref, 'cd'.repeat(32) as Sha256Hex)).to.deep.equal(E.left(resticNameMismatch))
    expect(ensureNameMatches({ ...ref, type: 'config', name: 'config' }, hex as Sha256Hex)).to.deep.equal(
      E.right(undefined),
    )
  })
})

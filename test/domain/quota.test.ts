import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { quotaExceeded } from '../../domain/errors'
import { checkQuota } from '../../domain/quota'

describe('quota', () => {
  it('accepts bytes that fit exactly and reports the new usage', () => {
    expect(checkQuota({ limitBytes: 100, usedBytes: 60 }, 40)).to.deep.equal(
      E.right({ limitBytes: 100, usedBytes: 100 }),
    )
  })

  it('refuses one byte more, reporting the usage before', () => {
    expect(checkQuota({ limitBytes: 100, usedBytes: 60 }, 41)).to.deep.equal(E.left(quotaExceeded(100, 60)))
  })
})

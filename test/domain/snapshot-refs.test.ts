import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type { ObjectId } from '../../domain/snapshot'
import { refCountOf, refIds, refsAreCanonical, refsOf } from '../../domain/snapshot-refs'

const ids = (n: number): ObjectId[] =>
  Array.from({ length: n }, () => randomBytes(32).toString('hex') as ObjectId)

describe('snapshot refs: 32-byte ids, sorted, unique', () => {
  it('turns ids into bytes and back, in order', () => {
    const some = ids(5)
    expect(refIds(refsOf(some))).to.deep.equal(some)
    expect(refCountOf(refsOf(some))).to.equal(5)
  })

  it('takes sorted unique ids as canonical, hex order being byte order', () => {
    expect(refsAreCanonical(refsOf(ids(50).sort()))).to.equal(true)
    expect(refsAreCanonical(new Uint8Array(0))).to.equal(true)
  })

  it('refuses refs out of order, repeated, or not whole ids', () => {
    const sorted = ids(3).sort()
    expect(refsAreCanonical(refsOf([sorted[1]!, sorted[0]!, sorted[2]!]))).to.equal(false)
    expect(refsAreCanonical(refsOf([sorted[0]!, sorted[0]!]))).to.equal(false)
    expect(refsAreCanonical(refsOf(sorted).subarray(0, 95))).to.equal(false)
  })
})

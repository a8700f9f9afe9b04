import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { decodeBase64Url, decodedLength, encodeBase64Url, isBase64Url } from '../../domain/base64url'

describe('base64url', () => {
  it('round-trips byte strings of every length remainder', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = new Uint8Array(randomBytes(n))
      const encoded = encodeBase64Url(bytes)
      expect(encoded).to.equal(Buffer.from(bytes).toString('base64url'))
      expect(decodeBase64Url(encoded)).to.deep.equal(bytes)
      expect(decodedLength(encoded.length)).to.equal(n)
    }
  })

  it('uses the URL-safe alphabet without padding', () => {
    expect(encodeBase64Url(new Uint8Array([0xfb, 0xff, 0xfe]))).to.equal('-__-')
    expect(encodeBase64Url(new Uint8Array([1]))).to.equal('AQ')
  })

  it('refuses padding, the standard alphabet and impossible lengths', () => {
    expect(isBase64Url('AQ==')).to.equal(false)
    expect(isBase64Url('a+b/')).to.equal(false)
    expect(isBase64Url('AAAAA')).to.equal(false)
    expect(isBase64Url('')).to.equal(true)
  })

  it('throws when asked to decode something unchecked (a caller bug)', () => {
    expect(() => decodeBase64Url('a+b/')).to.throw('not base64url')
  })
})

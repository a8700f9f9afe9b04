import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  decodeBase32,
  encodeBase32,
  formatRecoveryKey,
  generateRecoveryKey,
  generateUmk,
  parseRecoveryKey,
  recoveryProof,
  recoveryVerifier,
  sha256,
  unwrapUmkWithRecoveryKey,
  wrapUmkWithRecoveryKey,
} from '../../../client/crypto'

describe('recovery key', () => {
  it('prints as 14 dash-separated groups of 4 base32 characters and parses back', async () => {
    const key = generateRecoveryKey()
    const printed = await formatRecoveryKey(key)
    expect(printed).to.match(/^([A-Z2-7]{4}-){13}[A-Z2-7]{4}$/)
    expect(await parseRecoveryKey(printed)).to.deep.equal(E.right(key))
  })

  it('accepts what people do when copying: lower case, spaces, no dashes, 0/1/8 for O/I/B', async () => {
    const key = generateRecoveryKey()
    const printed = await formatRecoveryKey(key)
    const sloppy = ` ${printed.toLowerCase().replace(/-/g, ' ')} `
      .replace(/o/g, '0')
      .replace(/i/g, '1')
      .replace(/b/g, '8')
    expect(await parseRecoveryKey(sloppy)).to.deep.equal(E.right(key))
  })

  it('refuses a typo by its checksum, and junk by its format', async () => {
    const printed = await formatRecoveryKey(generateRecoveryKey())
    const typo = (printed[0] === 'A' ? 'B' : 'A') + printed.slice(1)
    expect(await parseRecoveryKey(typo)).to.deep.equal(
      E.left({ _tag: 'InvalidRecoveryKey', reason: 'checksum' }),
    )
    expect(await parseRecoveryKey(printed.slice(0, -1))).to.deep.equal(
      E.left({ _tag: 'InvalidRecoveryKey', reason: 'format' }),
    )
    expect(await parseRecoveryKey(printed.replace(/.$/, '!'))).to.deep.equal(
      E.left({ _tag: 'InvalidRecoveryKey', reason: 'format' }),
    )
  })

  it('proves itself with a proof whose SHA-256 is the stored verifier', async () => {
    const key = generateRecoveryKey()
    const proof = await recoveryProof(key)
    expect(proof.length).to.equal(32)
    expect(await recoveryVerifier(key)).to.deep.equal(await sha256(proof))
    expect(await recoveryVerifier(generateRecoveryKey())).not.to.deep.equal(await recoveryVerifier(key))
  })

  it('unwraps the recovery-wrapped UMK with the same key only', async () => {
    const [umk, key] = [generateUmk(), generateRecoveryKey()]
    const wrapped = await wrapUmkWithRecoveryKey(umk, key)
    expect(await unwrapUmkWithRecoveryKey(wrapped, key)).to.deep.equal(E.right(umk))
    expect(await unwrapUmkWithRecoveryKey(wrapped, generateRecoveryKey())).to.deep.equal(
      E.left({ _tag: 'DecryptionFailed', what: 'umk' }),
    )
  })

  it('base32 round-trips every length and refuses non-canonical trailing bits', () => {
    for (let n = 0; n < 12; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n))
      expect(decodeBase32(encodeBase32(bytes))).to.deep.equal(bytes)
    }
    expect(encodeBase32(new TextEncoder().encode('foobar'))).to.equal('MZXW6YTBOI') // RFC 4648 §10
    expect(decodeBase32('MZXW6YTBOJ')).to.equal(undefined)
  })
})

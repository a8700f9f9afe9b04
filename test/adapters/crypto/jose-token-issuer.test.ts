import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { SignJWT, UnsecuredJWT } from 'jose'
import { joseTokenIssuer } from '../../../adapters/crypto/jose-token-issuer'
import { unauthenticated } from '../../../domain/errors'
import type { AccountId, SessionId } from '../../../domain/ids'
import { controllableClock, seconds } from '../../support/controllable-clock'

const claims = { accountId: randomUUID() as AccountId, sessionId: randomUUID() as SessionId }

describe('joseTokenIssuer', () => {
  const secret = randomBytes(32)
  const clock = controllableClock()
  const issuer = joseTokenIssuer({ secret, clock })
  const now = () => Math.floor(clock.now().getTime() / 1000)
  const forged = (alg: 'HS256' | 'HS512', key: Uint8Array, iat = now()) =>
    new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg })
      .setIssuer('zkeb')
      .setAudience('zkeb')
      .setSubject(claims.accountId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 900)
      .sign(key)

  it('verifies what it issued, for 15 minutes', async () => {
    const issued = await issuer.issue(claims)()
    if (E.isLeft(issued)) throw new Error('issue failed')
    expect(issued.right.expiresIn).to.equal(900)
    expect(await issuer.verify(issued.right.accessToken)()).to.deep.equal(E.right(claims))
    clock.advance(seconds(900 + 31))
    expect(await issuer.verify(issued.right.accessToken)()).to.deep.equal(E.left(unauthenticated))
  })

  it('refuses an unsigned token, another algorithm, another key and a future issue time', async () => {
    const unsigned = new UnsecuredJWT({ sid: claims.sessionId })
      .setIssuer('zkeb')
      .setAudience('zkeb')
      .setSubject(claims.accountId)
      .setIssuedAt(now())
      .setExpirationTime(now() + 900)
      .encode()
    for (const token of [
      unsigned,
      await forged('HS512', secret),
      await forged('HS256', randomBytes(32)),
      await forged('HS256', secret, now() + 600),
      'garbage',
    ]) {
      expect(await issuer.verify(token)()).to.deep.equal(E.left(unauthenticated))
    }
    expect(E.isRight(await issuer.verify(await forged('HS256', secret))())).to.equal(true)
  })

  it('checks the time again on every verification of a token it verified before (age and expiry)', async () => {
    // Valid signature, expiring in an hour: only the maximum age (15 minutes and the skew, plus the skew) ends it.
    const longLived = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('zkeb')
      .setAudience('zkeb')
      .setSubject(claims.accountId)
      .setIssuedAt(now())
      .setExpirationTime(now() + 3600)
      .sign(secret)
    expect(await issuer.verify(longLived)()).to.deep.equal(E.right(claims))
    clock.advance(seconds(900 + 30 + 30))
    expect(await issuer.verify(longLived)()).to.deep.equal(E.right(claims))
    clock.advance(seconds(1))
    expect(await issuer.verify(longLived)()).to.deep.equal(E.left(unauthenticated))
    const issued = await issuer.issue(claims)()
    if (E.isLeft(issued)) throw new Error('issue failed')
    expect(await issuer.verify(issued.right.accessToken)()).to.deep.equal(E.right(claims))
    // Expired once exp <= now - skew.
    clock.advance(seconds(900 + 29))
    expect(await issuer.verify(issued.right.accessToken)()).to.deep.equal(E.right(claims))
    clock.advance(seconds(1))
    expect(await issuer.verify(issued.right.accessToken)()).to.deep.equal(E.left(unauthenticated))
  })

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => joseTokenIssuer({ secret: randomBytes(31), clock })).to.throw('at least 32 bytes')
  })
})

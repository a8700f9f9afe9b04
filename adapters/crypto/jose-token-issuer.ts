/**
 * Knows how to issue and verify short-lived access tokens: JWT, HS256 pinned, issuer and audience 'zkeb'.
 * SECURITY: the algorithm list is fixed, so `alg: none` and algorithm confusion are refused.
 */
import { webcrypto } from 'node:crypto'
import * as TE from 'fp-ts/TaskEither'
import { jwtVerify, SignJWT } from 'jose'
import type { Clock } from '../../application/ports/clock'
import type { TokenIssuer } from '../../application/ports/token-issuer'
import { unauthenticated } from '../../domain/errors'
import { AccountId, SessionId } from '../../domain/ids'

export type JoseTokenIssuerOptions = Readonly<{
  /** At least 32 bytes of secret key material. */
  secret: Uint8Array
  clock: Clock
  /** Access token lifetime; 15 minutes by default. */
  ttlSeconds?: number
}>

const zkeb = 'zkeb'
const algorithm = 'HS256'
/** Clock skew tolerated between instances. */
const skewSeconds = 30

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000)

/** The TokenIssuer port over jose. Throws at construction (a configuration bug) on a short secret. */
export const joseTokenIssuer = ({
  secret,
  clock,
  ttlSeconds = 15 * 60,
}: JoseTokenIssuerOptions): TokenIssuer => {
  if (secret.length < 32) throw new Error('joseTokenIssuer: the secret must be at least 32 bytes')
  // Imported once: given raw bytes, jose imports a WebCrypto key on every sign and verify, which cost about
  // a tenth of an authenticated request's CPU in bench/ (see bench/RESULTS.md).
  const key = webcrypto.subtle.importKey(
    'raw',
    Uint8Array.from(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )
  return {
    issue: ({ accountId, sessionId }) =>
      TE.fromTask(async () => {
        const now = epochSeconds(clock.now())
        const accessToken = await new SignJWT({ sid: sessionId })
          .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
          .setIssuer(zkeb)
          .setAudience(zkeb)
          .setSubject(accountId)
          .setIssuedAt(now)
          .setExpirationTime(now + ttlSeconds)
          .sign(await key)
        return { accessToken, expiresIn: ttlSeconds }
      }),
    verify: (token) =>
      TE.tryCatch(
        async () => {
          const { payload } = await jwtVerify(token, await key, {
            algorithms: [algorithm],
            issuer: zkeb,
            audience: zkeb,
            requiredClaims: ['sub', 'sid', 'exp', 'iat'],
            currentDate: clock.now(),
            clockTolerance: skewSeconds,
            maxTokenAge: ttlSeconds + skewSeconds,
          })
          if (!AccountId.is(payload.sub) || !SessionId.is(payload['sid'])) throw new Error('bad claims')
          return { accountId: payload.sub, sessionId: payload['sid'] }
        },
        () => unauthenticated,
      ),
  }
}

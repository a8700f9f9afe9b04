/**
 * Knows how to issue and verify short-lived access tokens: JWT, HS256 pinned, issuer and audience 'zkeb'.
 * SECURITY: the algorithm list is fixed, so `alg: none` and algorithm confusion are refused.
 */
import { webcrypto } from 'node:crypto'
import * as TE from 'fp-ts/TaskEither'
import { jwtVerify, SignJWT } from 'jose'
import type { Clock } from '../../application/ports/clock'
import type { AccessClaims, TokenIssuer } from '../../application/ports/token-issuer'
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

/** A token jose verified: its claims and the times its time checks are made against. */
type Verified = Readonly<{ claims: AccessClaims; iat: number; exp: number; nbf: number | undefined }>

/** Enough for every client of a busy instance within one token lifetime; well under 1 KiB each. */
const verifiedCacheSize = 4096

/** jose's time checks, as jwtVerify makes them with these options (`now` in whole seconds, as jose counts). */
const withinTime = (v: Verified, now: number, maxAgeSeconds: number): boolean =>
  !(v.nbf !== undefined && v.nbf > now + skewSeconds) &&
  !(v.exp <= now - skewSeconds) &&
  !(now - v.iat - skewSeconds > maxAgeSeconds) &&
  !(now - v.iat < -skewSeconds)

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
  const maxAgeSeconds = ttlSeconds + skewSeconds
  // Oldest first (a Map keeps insertion order): when full, the oldest entry makes room.
  const verified = new Map<string, Verified>()
  const remember = (token: string, entry: Verified): void => {
    if (verified.size >= verifiedCacheSize) verified.delete(verified.keys().next().value as string)
    verified.set(token, entry)
  }
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
          const now = clock.now()
          // The same text under the same key verifies the same way; only the time checks depend on when, so
          // a token seen before is checked again against its window instead of its signature (WebCrypto's HMAC
          // through a promise job cost about a tenth of an authenticated read's CPU in bench/).
          const seen = verified.get(token)
          if (seen !== undefined) {
            if (withinTime(seen, epochSeconds(now), maxAgeSeconds)) return seen.claims
            verified.delete(token)
          }
          const { payload } = await jwtVerify(token, await key, {
            algorithms: [algorithm],
            issuer: zkeb,
            audience: zkeb,
            requiredClaims: ['sub', 'sid', 'exp', 'iat'],
            currentDate: now,
            clockTolerance: skewSeconds,
            maxTokenAge: maxAgeSeconds,
          })
          if (!AccountId.is(payload.sub) || !SessionId.is(payload['sid'])) throw new Error('bad claims')
          const claims = { accountId: payload.sub, sessionId: payload['sid'] }
          // exp and iat are required claims, numbers once jose accepted them.
          const { iat, exp, nbf } = payload as { iat: number; exp: number; nbf?: number }
          remember(token, { claims, iat, exp, nbf })
          return claims
        },
        () => unauthenticated,
      ),
  }
}

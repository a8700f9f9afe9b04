/**
 * Knows how to name an account in logs without revealing its id: a keyed hash (HMAC-SHA256, 16 bytes hex),
 * stable for one key, so an operator can follow one account across lines and replicas, and a leaked log
 * cannot be joined with the database without the key.
 */
import { createHmac, hkdfSync } from 'node:crypto'

export type AccountHash = (accountId: string) => string

export const accountHash =
  (key: string | Uint8Array): AccountHash =>
  (accountId) =>
    createHmac('sha256', key).update(accountId).digest('hex').slice(0, 32)

/** A log-hash key derived from TOKEN_SECRET (when LOG_HASH_KEY is unset), so replicas agree without a new secret. */
export const deriveLogHashKey = (tokenSecret: string): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', tokenSecret, 'zkeb', 'zkeb log account hash v1', 32))

/**
 * Knows how to make and check second-factor secrets: TOTP (RFC 6238: SHA-1, 6 digits, 30 s, through otpauth)
 * with its secret sealed under AES-256-GCM, and recovery codes digested with HMAC-SHA-256. Both keys come from
 * one server secret (HKDF, separate labels), so nothing new has to be kept: see docs/security.md.
 * SECURITY: secrets and codes are returned to the caller only; nothing here logs.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import type { FactorSecrets } from '../../application/ports/factor-secrets'
import type { AccountId } from '../../domain/ids'

const issuer = 'ZKEB'
const period = 30
const nonceBytes = 12
const tagBytes = 16

const derive = (serverSecret: string, label: string): Buffer =>
  Buffer.from(hkdfSync('sha256', serverSecret, 'zkeb', label, 32))

/** The sealed secret's associated data: a sealed secret opens only in its own account's row. */
const aadOf = (accountId: AccountId): Buffer => Buffer.from(`zkeb/v1/totp-secret\n${accountId}`)

const seal = (key: Buffer, accountId: AccountId, secret: Uint8Array): Uint8Array => {
  const nonce = randomBytes(nonceBytes)
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aadOf(accountId))
  const body = Buffer.concat([cipher.update(secret), cipher.final()])
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]))
}

const open = (key: Buffer, accountId: AccountId, sealed: Uint8Array): Uint8Array | null => {
  if (sealed.length < nonceBytes + tagBytes) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, nonceBytes)).setAAD(
      aadOf(accountId),
    )
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes))
    return new Uint8Array(
      Buffer.concat([
        decipher.update(sealed.subarray(nonceBytes, sealed.length - tagBytes)),
        decipher.final(),
      ]),
    )
  } catch {
    return null
  }
}

const totpOf = (secret: Secret, label: string): TOTP =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period, secret })

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** 80 random bits as four groups of four base32 letters: typed by hand, so short, unambiguous, case-free. */
const recoveryCode = (): string => {
  const bytes = randomBytes(10)
  let bits = 0n
  for (const b of bytes) bits = (bits << 8n) | BigInt(b)
  const letters = Array.from({ length: 16 }, (_, i) => base32[Number((bits >> BigInt(75 - i * 5)) & 31n)])
  return [0, 4, 8, 12].map((i) => letters.slice(i, i + 4).join('')).join('-')
}

const normalised = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase()

/** The FactorSecrets port, keyed from `serverSecret` (the server's token secret). */
export const totpFactorSecrets = (serverSecret: string): FactorSecrets => {
  const sealKey = derive(serverSecret, 'zkeb/v1/totp-seal-key')
  const codeKey = derive(serverSecret, 'zkeb/v1/recovery-code-key')
  return {
    newTotp: (accountId, label) => {
      const secret = new Secret({ size: 20 })
      return {
        secretBase32: secret.base32,
        uri: totpOf(secret, label).toString(),
        sealed: seal(sealKey, accountId, new Uint8Array(secret.bytes)),
      }
    },
    totpStep: (accountId, sealed, code, now) => {
      const secret = open(sealKey, accountId, sealed)
      if (secret === null) return null
      const totp = totpOf(new Secret({ buffer: secret.slice().buffer }), 'check')
      const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 })
      return delta === null ? null : Math.floor(now.getTime() / 1000 / period) + delta
    },
    newRecoveryCodes: (count) => Array.from({ length: count }, recoveryCode),
    recoveryCodeDigest: (accountId, code) =>
      createHmac('sha256', codeKey)
        .update(`${accountId}\n${normalised(code)}`)
        .digest('hex'),
  }
}

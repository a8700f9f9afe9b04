/** Knows how to check Ed25519 signatures made with a raw 32-byte public key. */
import { createPublicKey, verify } from 'node:crypto'
import type { SignatureVerifier } from '../../application/ports/signature-verifier'

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw 32-byte key follows it. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex')

const fromBase64Url = (s: string): Buffer | undefined =>
  /^[A-Za-z0-9_-]*$/.test(s) ? Buffer.from(s, 'base64url') : undefined

/** Ed25519 verification over node:crypto. Anything malformed verifies as false; nothing throws. */
export const nodeSignatureVerifier = (): SignatureVerifier => ({
  verifyEd25519: (publicKey, message, signature) => {
    const key = fromBase64Url(publicKey)
    const sig = fromBase64Url(signature)
    if (key?.length !== 32 || sig?.length !== 64) return false
    try {
      const keyObject = createPublicKey({
        key: Buffer.concat([ed25519SpkiPrefix, key]),
        format: 'der',
        type: 'spki',
      })
      return verify(null, message, keyObject, sig)
    } catch {
      return false
    }
  },
})

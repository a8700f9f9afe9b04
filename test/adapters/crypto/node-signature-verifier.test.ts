import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { expect } from 'chai'
import { nodeSignatureVerifier } from '../../../adapters/crypto/node-signature-verifier'
import type { Ed25519PublicKey, Ed25519Signature } from '../../../domain/ids'

describe('nodeSignatureVerifier', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = publicKey.export({ format: 'jwk' }).x as Ed25519PublicKey
  const message = new TextEncoder().encode('zkeb/v1/upload\n')
  const signature = sign(null, message, privateKey).toString('base64url') as Ed25519Signature
  const verifier = nodeSignatureVerifier()

  it('accepts a signature by the raw 32-byte key', () => {
    expect(verifier.verifyEd25519(raw, message, signature)).to.equal(true)
  })

  it('refuses another message, another key, and malformed input without throwing', () => {
    const other = randomBytes(32).toString('base64url') as Ed25519PublicKey
    expect(verifier.verifyEd25519(raw, new TextEncoder().encode('other'), signature)).to.equal(false)
    expect(verifier.verifyEd25519(other, message, signature)).to.equal(false)
    expect(verifier.verifyEd25519('short' as Ed25519PublicKey, message, signature)).to.equal(false)
    expect(verifier.verifyEd25519(raw, message, 'a+b/' as Ed25519Signature)).to.equal(false)
  })
})

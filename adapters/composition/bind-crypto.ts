/**
 * Binds the ports that compute rather than store: time, randomness, hashing, signatures, OPAQUE and tokens.
 * SECURITY: the OPAQUE server setup and the token secret enter here already loaded, and stay inside adapters.
 */
import type { Container } from 'inversify'
import type { OpaqueServer } from '../../application/ports/opaque-server'
import { joseTokenIssuer } from '../crypto/jose-token-issuer'
import { nodeHasher } from '../crypto/node-hasher'
import { nodeIdGenerator } from '../crypto/node-id-generator'
import { totpFactorSecrets } from '../crypto/totp-factor-secrets'
import { nodeSignatureVerifier } from '../crypto/node-signature-verifier'
import { systemClock } from '../crypto/system-clock'
import type { Config } from './config'
import { id, TOKENS } from './tokens'

export type CryptoMaterial = Readonly<{
  /** Ready to serve (its WebAssembly loaded), built from OPAQUE_SERVER_SETUP or the generated setup. */
  opaque: OpaqueServer
  /** TOKEN_SECRET or the generated one: at least 32 characters. */
  tokenSecret: string
}>

export const bindCrypto = (c: Container, config: Config, material: CryptoMaterial): void => {
  c.bind(id(TOKENS.Clock)).toConstantValue(systemClock())
  c.bind(id(TOKENS.IdGenerator)).toConstantValue(nodeIdGenerator())
  c.bind(id(TOKENS.Hasher)).toConstantValue(nodeHasher())
  c.bind(id(TOKENS.SignatureVerifier)).toConstantValue(nodeSignatureVerifier())
  // Second-factor secrets are sealed under a key derived from the token secret (docs/security.md).
  c.bind(id(TOKENS.FactorSecrets)).toConstantValue(totpFactorSecrets(material.tokenSecret))
  c.bind(id(TOKENS.OpaqueServer)).toConstantValue(material.opaque)
  c.bind(id(TOKENS.TokenIssuer)).toResolvedValue(
    (clock) =>
      joseTokenIssuer({
        secret: Buffer.from(material.tokenSecret, 'utf8'),
        clock,
        ttlSeconds: config.accessTokenTtlSeconds,
      }),
    [id(TOKENS.Clock)],
  )
}

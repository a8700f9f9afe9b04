/**
 * Knows `secrets.age`, the one encrypted file of a backup folder: the secrets ZKEB cannot run without (the
 * OPAQUE server setup, the token secret, the embedded PostgreSQL passwords, secret-bearing variables) and the
 * SHA-256 of manifest.json, which lists the digest of every database file. The passphrase therefore both hides
 * the secrets and authenticates the folder: restore refuses a manifest or database file changed since.
 * It is a standard age file (passphrase recipient): `age -d secrets.age` opens it too.
 * SECURITY: plaintext secrets exist only in memory here; errors never include them.
 */
import { armor, Decrypter, Encrypter } from 'age-encryption'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { defaultWorkFactor, scryptIdentity, scryptRecipient } from './age-scrypt'

export const SecretsEnvelope = t.type({
  format: t.literal('zkeb-secrets/1'),
  /** SHA-256 (hex) of manifest.json as written. */
  manifestSha256: t.string,
  /** Every file of DATA_DIR/secrets, by name. */
  dataDirSecrets: t.record(t.string, t.string),
  /** The secret-bearing variables that were set (OPAQUE_SERVER_SETUP, TOKEN_SECRET, DATABASE_URL…). */
  environment: t.record(t.string, t.string),
})
export type SecretsEnvelope = t.TypeOf<typeof SecretsEnvelope>

/** Armored (ASCII) so the file survives any storage and is easy to inspect. */
export const sealSecrets = async (
  envelope: SecretsEnvelope,
  passphrase: string,
  workFactor = defaultWorkFactor,
): Promise<string> => {
  const encrypter = new Encrypter()
  encrypter.addRecipient(scryptRecipient(passphrase, workFactor))
  return armor.encode(await encrypter.encrypt(JSON.stringify(envelope)))
}

export type OpenFailure = 'wrong-passphrase' | 'malformed'

export const openSecrets = async (
  armored: string,
  passphrase: string,
): Promise<E.Either<OpenFailure, SecretsEnvelope>> => {
  let sealed: Uint8Array
  try {
    sealed = armor.decode(armored)
  } catch {
    return E.left('malformed')
  }
  const decrypter = new Decrypter()
  decrypter.addIdentity(scryptIdentity(passphrase))
  let text: string
  try {
    text = await decrypter.decrypt(sealed, 'text')
  } catch (e) {
    // typage: "no identity matched any of the file's recipients" when the passphrase opens no stanza.
    return E.left(/no identity matched/i.test((e as Error).message) ? 'wrong-passphrase' : 'malformed')
  }
  try {
    return E.mapLeft((): OpenFailure => 'malformed')(SecretsEnvelope.decode(JSON.parse(text)))
  } catch {
    return E.left('malformed')
  }
}

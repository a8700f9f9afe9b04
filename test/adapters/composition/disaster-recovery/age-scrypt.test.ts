/**
 * The passphrase recipient with Node's scrypt against typage's own (the reference JavaScript implementation of
 * age): each opens what the other sealed, a wrong passphrase opens nothing, and the envelope of a backup keeps
 * its fields. Work factor 10 keeps typage's JavaScript scrypt fast here; the format is the same at 18.
 */
import { expect } from 'chai'
import { Decrypter, Encrypter } from 'age-encryption'
import * as E from 'fp-ts/Either'
import {
  scryptIdentity,
  scryptRecipient,
} from '../../../../adapters/composition/disaster-recovery/age-scrypt'
import {
  openSecrets,
  sealSecrets,
  type SecretsEnvelope,
} from '../../../../adapters/composition/disaster-recovery/secrets-envelope'

const passphrase = 'correct horse battery staple'
const text = 'the OPAQUE server setup, say'

describe('age passphrase recipient with native scrypt @memory', () => {
  it('seals what typage opens with its own passphrase identity', async () => {
    const encrypter = new Encrypter()
    encrypter.addRecipient(scryptRecipient(passphrase, 10))
    const sealed = await encrypter.encrypt(text)
    const decrypter = new Decrypter()
    decrypter.addPassphrase(passphrase)
    expect(await decrypter.decrypt(sealed, 'text')).to.equal(text)
  })

  it('opens what typage sealed with its own passphrase recipient', async () => {
    const encrypter = new Encrypter()
    encrypter.setPassphrase(passphrase)
    encrypter.setScryptWorkFactor(10)
    const sealed = await encrypter.encrypt(text)
    const decrypter = new Decrypter()
    decrypter.addIdentity(scryptIdentity(passphrase))
    expect(await decrypter.decrypt(sealed, 'text')).to.equal(text)
  })

  it('opens nothing with another passphrase, and refuses a work factor above 2^20', async () => {
    const encrypter = new Encrypter()
    encrypter.addRecipient(scryptRecipient(passphrase, 10))
    const sealed = await encrypter.encrypt(text)
    const wrong = new Decrypter()
    wrong.addIdentity(scryptIdentity('another passphrase'))
    await wrong.decrypt(sealed, 'text').then(
      () => expect.fail('opened with the wrong passphrase'),
      (e: Error) => expect(e.message).to.match(/no identity matched/),
    )
    // Sealing at 2^21 would take seconds and 2 GiB; a stanza claiming it is enough: it is refused before scrypt.
    const claimed = Buffer.from(sealed)
      .toString('latin1')
      .replace(/(-> scrypt \S+) 10\n/, '$1 21\n')
    expect(claimed).to.include(' 21\n')
    const tampered = new Decrypter()
    tampered.addIdentity(scryptIdentity(passphrase))
    await tampered.decrypt(Buffer.from(claimed, 'latin1'), 'text').then(
      () => expect.fail('accepted a work factor of 2^21'),
      (e: Error) => expect(e.message).to.match(/work factor is too high/),
    )
  })

  it('seals a backup envelope as an armored age file that opens only with the passphrase', async () => {
    const envelope: SecretsEnvelope = {
      format: 'zkeb-secrets/1',
      manifestSha256: 'a'.repeat(64),
      dataDirSecrets: { 'token-secret': 'generated-token-secret-value' },
      environment: { OPAQUE_SERVER_SETUP: 'setup-value' },
    }
    const armored = await sealSecrets(envelope, passphrase, 10)
    expect(armored).to.match(/^-----BEGIN AGE ENCRYPTED FILE-----\n/)
    expect(armored).not.to.include('generated-token-secret-value')
    expect(await openSecrets(armored, passphrase)).to.deep.equal(E.right(envelope))
    expect(await openSecrets(armored, 'not the passphrase')).to.deep.equal(E.left('wrong-passphrase'))
    expect(await openSecrets('not age at all', passphrase)).to.deep.equal(E.left('malformed'))
  })
})

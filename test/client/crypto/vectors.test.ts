import * as nodeCrypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  asKey,
  decryptMetadata,
  decryptSegments,
  HkdfLabels,
  parseRecoveryKey,
  unwrapDek,
  unwrapUmkWithPassword,
  unwrapUmkWithRecoveryKey,
} from '../../../client/crypto'
import { collect, fromHex, hex } from '../support'
import { computeVectors, Vectors } from '../vectors/protocol-v1'

const committed = JSON.parse(
  readFileSync(join(__dirname, '..', 'vectors', 'protocol-v1.json'), 'utf8'),
) as Vectors

/** AES-256-GCM open with node:crypto, an implementation independent of the client's WebCrypto path. */
const nodeOpen = (key: string, wrapped: string, aad: string | Uint8Array, nonceHex?: string): string => {
  const bytes = fromHex(wrapped)
  const [nonce, body] =
    nonceHex === undefined ? [bytes.subarray(0, 12), bytes.subarray(12)] : [fromHex(nonceHex), bytes]
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', fromHex(key), nonce)
  decipher.setAAD(typeof aad === 'string' ? Buffer.from(aad, 'utf8') : aad)
  decipher.setAuthTag(body.subarray(body.length - 16))
  return hex(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]))
}

describe('protocol-v1 test vectors', () => {
  it('are reproduced byte for byte by the client from the committed inputs', async () => {
    const computed = JSON.parse(JSON.stringify(await computeVectors())) as Vectors
    expect(computed.hkdf).to.deep.equal(committed.hkdf)
    expect(computed.passwordWrappedUmk).to.deep.equal(committed.passwordWrappedUmk)
    expect(computed.recovery).to.deep.equal(committed.recovery)
    expect(computed.backupKeys).to.deep.equal(committed.backupKeys)
    expect(computed.metadata).to.deep.equal(committed.metadata)
    expect(computed.segments).to.deep.equal(committed.segments)
    expect(computed.padme).to.deep.equal(committed.padme)
    expect(computed.uploadSigning).to.deep.equal(committed.uploadSigning)
    expect(computed).to.deep.equal(committed)
  })

  describe('agree with an independent implementation (node:crypto) of the protocol text', () => {
    it('HKDF-SHA256 with an empty salt for every label', () => {
      for (const label of Object.values(HkdfLabels)) {
        const okm = nodeCrypto.hkdfSync('sha256', fromHex(committed.hkdf.ikm), new Uint8Array(0), label, 32)
        expect(committed.hkdf.outputs[label], label).to.equal(hex(new Uint8Array(okm)))
      }
    })

    it('the UMK wraps under the KEK and the recovery KEK with aad "zkeb/v1/umk"', () => {
      const { passwordWrappedUmk: p, recovery: r } = committed
      const kek = nodeCrypto.hkdfSync('sha256', fromHex(p.exportKey), new Uint8Array(0), 'zkeb/v1/kek', 32)
      expect(p.kek).to.equal(hex(new Uint8Array(kek)))
      expect(nodeOpen(p.kek, p.passwordWrappedUmk, 'zkeb/v1/umk')).to.equal(p.umk)
      expect(nodeOpen(r.recoveryKek, r.recoveryWrappedUmk, 'zkeb/v1/umk')).to.equal(r.umk)
      expect(p.passwordWrappedUmk.startsWith(p.nonce)).to.equal(true)
    })

    it('the recovery verifier is SHA-256 of the recovery proof', () => {
      const digest = nodeCrypto
        .createHash('sha256')
        .update(fromHex(committed.recovery.recoveryProof))
        .digest()
      expect(committed.recovery.recoveryVerifier).to.equal(hex(digest))
    })

    it('the DEK wrap uses aad "zkeb/v1/dek|" + backupId and the metadata uses aad = backupId', () => {
      const { backupKeys: k, metadata: m } = committed
      expect(nodeOpen(k.bkk, k.dekWrap.wrappedKey, `zkeb/v1/dek|${k.dekWrap.backupId}`)).to.equal(
        k.dekWrap.dek,
      )
      const json = Buffer.from(nodeOpen(m.mek, m.encryptedMetadata, m.backupId), 'hex').toString('utf8')
      expect(json.trimEnd()).to.equal(m.json)
      expect(Buffer.byteLength(json)).to.equal(m.paddedJsonBytes)
    })

    it('each segment is AES-GCM under noncePrefix | uint32be(i) | lastFlag with aad = header | backupId', () => {
      const s = committed.segments
      expect(s.header).to.equal('5a4b4542' + '01' + '00000040' + s.noncePrefix)
      const padded = Buffer.concat([fromHex(s.plaintext), Buffer.from([0x80])])
      const expected = Buffer.concat([padded, Buffer.alloc(s.paddedLength - padded.length)])
      const aad = Buffer.concat([fromHex(s.header), Buffer.from(s.backupId, 'utf8')])
      const opened = s.segments.map((seg, i) => {
        const nonce =
          s.noncePrefix + i.toString(16).padStart(8, '0') + (i === s.segments.length - 1 ? '01' : '00')
        return nodeOpen(s.dek, seg, aad, nonce)
      })
      expect(opened.join('')).to.equal(hex(expected))
      expect(s.ciphertext).to.equal(s.header + s.segments.join(''))
    })

    it('the signature is Ed25519 (RFC 8032 key 1) over the canonical signing bytes', () => {
      const u = committed.uploadSigning
      expect(Buffer.from(u.signingBytes, 'hex').toString('utf8')).to.equal(u.signingString)
      expect(u.fields.contentSha256).to.equal(
        hex(nodeCrypto.createHash('sha256').update(fromHex(committed.segments.ciphertext)).digest()),
      )
      expect(u.fields.sizeBytes).to.equal(committed.segments.ciphertext.length / 2)
      expect(u.ed25519PublicKey).to.equal('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
      const publicKey = nodeCrypto.createPrivateKey({
        key: Buffer.from(fromHex(u.ed25519Pkcs8)),
        format: 'der',
        type: 'pkcs8',
      })
      expect(nodeCrypto.verify(null, fromHex(u.signingBytes), publicKey, fromHex(u.signature))).to.equal(true)
    })
  })

  describe('are read back by the client', () => {
    it('unwraps both UMK wraps, the DEK, and parses the printed recovery key', async () => {
      const { passwordWrappedUmk: p, recovery: r, backupKeys: k } = committed
      const umk = E.right(fromHex(p.umk))
      expect(await unwrapUmkWithPassword(fromHex(p.passwordWrappedUmk), fromHex(p.exportKey))).to.deep.equal(
        umk,
      )
      const recoveryKey = await parseRecoveryKey(r.printed)
      expect(E.map(hex)(recoveryKey)).to.deep.equal(E.right(r.recoveryKey))
      const byRecovery = await unwrapUmkWithRecoveryKey(
        fromHex(r.recoveryWrappedUmk),
        asKey(fromHex(r.recoveryKey)),
      )
      expect(byRecovery).to.deep.equal(umk)
      const dek = await unwrapDek(asKey(fromHex(k.bkk)), fromHex(k.dekWrap.wrappedKey), k.dekWrap.backupId)
      expect(E.map(hex)(dek)).to.deep.equal(E.right(k.dekWrap.dek))
    })

    it('decrypts the metadata and the segment stream to the committed plaintexts', async () => {
      const { metadata: m, segments: s } = committed
      const metadata = await decryptMetadata(asKey(fromHex(m.mek)), m.backupId, fromHex(m.encryptedMetadata))
      expect(metadata).to.deep.equal(E.right(m.metadata))
      const plaintext = await collect(
        decryptSegments(asKey(fromHex(s.dek)), s.backupId, [fromHex(s.ciphertext)]),
      )
      expect(hex(plaintext)).to.equal(s.plaintext)
    })
  })
})

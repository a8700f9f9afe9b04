import * as nodeCrypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { padmeLength } from '../../../client/crypto'
import {
  gearTableValues,
  parsePackHeader,
  publishedGearTable,
  SnapshotLabels,
} from '../../../client/snapshot'
import { fromHex, hex } from '../support'
import { computeSnapshotVectors, type SnapshotVectors } from '../vectors/snapshot-v1.1'
import { deterministicBytes } from './deterministic'
import { referenceChunks } from './fastcdc-reference'

const committed = JSON.parse(
  readFileSync(join(__dirname, '..', 'vectors', 'snapshot-v1.1.json'), 'utf8'),
) as SnapshotVectors

const hkdf = (ikm: string, label: string, length = 32) =>
  hex(new Uint8Array(nodeCrypto.hkdfSync('sha256', fromHex(ikm), new Uint8Array(0), label, length)))

/** AES-256-GCM open with node:crypto: nonce and `ciphertext || tag` given separately. */
const gcmOpen = (key: string, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer => {
  const d = nodeCrypto.createDecipheriv('aes-256-gcm', fromHex(key), nonce)
  d.setAAD(aad)
  d.setAuthTag(sealed.subarray(sealed.length - 16))
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()])
}

const objectAad = (type: number, id: string) =>
  Buffer.concat([Buffer.from('zkeb/v1.1/object'), Buffer.from([1, type]), fromHex(id)])

describe('protocol v1.1 (snapshots) test vectors', function () {
  this.timeout(60_000)

  it('are reproduced byte for byte from the committed inputs', async () => {
    const computed = JSON.parse(JSON.stringify(await computeSnapshotVectors())) as SnapshotVectors
    for (const part of Object.keys(committed) as Array<keyof SnapshotVectors>)
      expect(computed[part], part).to.deep.equal(committed[part])
  })

  describe('agree with independent code written from the protocol text', () => {
    const k = committed.keys
    it('keys: HKDF-SHA256 of RK per label, the RK wrapped under the BKK with aad "zkeb/v1.1/snapshot-key"', () => {
      expect([k.idKey, k.objectKey, k.seriesKey, k.metadataKey, k.chunkerKey]).to.deep.equal(
        [
          SnapshotLabels.objectId,
          SnapshotLabels.object,
          SnapshotLabels.series,
          SnapshotLabels.snapshotMetadata,
          SnapshotLabels.chunker,
        ].map((l) => hkdf(k.rk, l)),
      )
      const wrapped = fromHex(k.wrappedSnapshotKey)
      expect(
        hex(
          gcmOpen(
            k.bkk,
            wrapped.subarray(0, 12),
            wrapped.subarray(12),
            Buffer.from('zkeb/v1.1/snapshot-key'),
          ),
        ),
      ).to.equal(k.rk)
    })

    it('objects: id = HMAC(idKey, type || plaintext); AES-GCM with the bound aad; Padmé frame', () => {
      const d = committed.dataObject
      const mac = nodeCrypto
        .createHmac('sha256', fromHex(k.idKey))
        .update(Buffer.from([1]))
        .update(fromHex(d.plaintext))
        .digest('hex')
      expect(d.id).to.equal(mac)
      const object = fromHex(d.object)
      expect(object[0]).to.equal(1)
      const framed = gcmOpen(k.objectKey, object.subarray(1, 13), object.subarray(13), objectAad(1, d.id))
      expect(hex(framed)).to.equal(d.framed)
      expect(framed.length).to.equal(padmeLength(5 + fromHex(d.plaintext).length))
      expect(framed.readUInt32BE(1)).to.equal(fromHex(d.plaintext).length)
      const t = committed.tree
      const tree = fromHex(t.object)
      expect(
        hex(
          gcmOpen(k.objectKey, tree.subarray(1, 13), tree.subarray(13), objectAad(2, t.id)).subarray(
            5,
            5 + t.encoding.length / 2,
          ),
        ),
      ).to.equal(t.encoding)
      expect(
        nodeCrypto
          .createHmac('sha256', fromHex(k.idKey))
          .update(Buffer.from([2]))
          .update(fromHex(t.encoding))
          .digest('hex'),
      ).to.equal(t.id)
    })

    it('pack header: magic, version, count, then id and length per object', () => {
      const p = committed.pack
      const header = Buffer.from(fromHex(p.header))
      expect(header.subarray(0, 5).toString('latin1')).to.equal('ZKPK\x01')
      expect(header.readUInt32BE(5)).to.equal(2)
      expect(hex(header.subarray(9, 41))).to.equal(committed.dataObject.id)
      expect(header.readUInt32BE(41)).to.equal(committed.dataObject.object.length / 2)
      const total = header.length + committed.dataObject.object.length / 2 + committed.tree.object.length / 2
      expect(parsePackHeader(header, total)).to.deep.equal(E.right(p.entries))
    })

    it('series id, metadata and the device signature over the signing string', () => {
      const s = committed.series
      const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])
      const paths = s.paths.map((p) => Buffer.from(p)).sort(Buffer.compare)
      const mac = nodeCrypto
        .createHmac('sha256', fromHex(k.seriesKey))
        .update(u32(Buffer.byteLength(s.host)))
        .update(s.host)
        .update(u32(paths.length))
      for (const p of paths) mac.update(u32(p.length)).update(p)
      expect(mac.digest('hex')).to.equal(s.seriesId)
      const m = committed.metadata
      const enc = fromHex(m.encryptedMetadata)
      const json = gcmOpen(
        k.metadataKey,
        enc.subarray(0, 12),
        enc.subarray(12),
        Buffer.from(`zkeb/v1.1/snapshot-metadata|${m.snapshotId}`),
      )
      expect(json.toString().trimEnd()).to.equal(m.json)
      expect(json.length % 256).to.equal(0)
      const g = committed.signing
      const sha = (b: Uint8Array) => nodeCrypto.createHash('sha256').update(b).digest('hex')
      expect(g.string).to.equal(
        `zkeb/v1.1/snapshot\n${m.snapshotId}\n${s.seriesId}\n${sha(enc)}\n${sha(Buffer.concat(g.refs.map(fromHex)))}\n${g.refs.length}\n`,
      )
      const publicKey = nodeCrypto.createPublicKey({
        key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), fromHex(g.ed25519PublicKey)]),
        format: 'der',
        type: 'spki',
      })
      expect(nodeCrypto.verify(null, Buffer.from(g.string), publicKey, fromHex(g.signature))).to.equal(true)
      const body = Buffer.from(fromHex(committed.createBody))
      const headerLength = body.readUInt32BE(0)
      const header = JSON.parse(body.subarray(4, 4 + headerLength).toString()) as {
        refCount: number
        signature: string
      }
      expect(header.refCount).to.equal(2)
      expect(Buffer.from(header.signature, 'base64url').toString('hex')).to.equal(g.signature)
      expect(hex(body.subarray(4 + headerLength))).to.equal(g.refs.join(''))
    })

    it('chunker: the published table and the derived vectors match the BigInt fastcdc-rs transliteration', () => {
      const c = committed.chunker
      const table = gearTableValues(publishedGearTable())
      expect(c.publishedTable.first).to.deep.equal([
        '3b5d3c7d207e37dc',
        '784d68ba91123086',
        'cd52880f882e7298',
        'eacf8e4e19fdcca7',
      ])
      for (const v of c.published) {
        const expected = referenceChunks(
          table,
          deterministicBytes(v.inputBytes),
          v.minSize,
          v.avgSize,
          v.maxSize,
          v.normalization,
        )
        expect(v.chunks).to.deep.equal(expected.map(({ length, hash }) => ({ length, hash })))
      }
      const keyed = fromHex(hkdf(k.chunkerKey, SnapshotLabels.gearTable, 2048))
      expect(c.keyedTable.first).to.deep.equal(
        [0, 1, 2, 3].map((i) =>
          Buffer.from(keyed.subarray(8 * i, 8 * i + 8))
            .readBigUInt64BE()
            .toString(16),
        ),
      )
      expect(c.keyedProtocol.chunks.reduce((n, x) => n + x.length, 0)).to.equal(c.keyedProtocol.inputBytes)
    })
  })
})

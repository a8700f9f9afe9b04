import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  buildPack,
  computeObjectId,
  decodeTree,
  encodeTree,
  excluder,
  frameObject,
  generateRepositoryKey,
  inMemorySnapshotStore,
  openObject,
  parsePackHeader,
  prepareKeys,
  sealObject,
  unframeObject,
  type ObjectId,
  type Tree,
} from '../../../client/snapshot'
import { asBufferSource } from '../../../client/crypto/bytes'

const id = (c: string) => c.repeat(64) as ObjectId
const aTree: Tree = [
  {
    name: Buffer.from('b'),
    type: 'dir',
    mode: 0o755,
    mtimeNs: 1n,
    ctimeNs: 2n,
    size: 0,
    inode: 3n,
    subtree: id('a'),
  },
  {
    name: Buffer.from([0xff, 0x00 + 0x41]),
    type: 'symlink',
    mode: 0o777,
    mtimeNs: -5n,
    ctimeNs: 0n,
    size: 0,
    inode: 2n ** 63n,
    target: Buffer.from('/x'),
  },
  {
    name: Buffer.from('a b ✓'),
    type: 'file',
    mode: 0o4755,
    mtimeNs: 10n ** 18n,
    ctimeNs: 7n,
    size: 12,
    inode: 9n,
    content: [id('1'), id('2')],
  },
]

describe('snapshot formats', () => {
  describe('trees', () => {
    it('encode canonically (sorted by raw name bytes) and decode to the same entries', () => {
      const bytes = encodeTree(aTree)
      expect(encodeTree([...aTree].reverse())).to.deep.equal(bytes)
      const decoded = decodeTree(bytes)
      expect(
        E.isRight(decoded) && decoded.right.map((e) => Buffer.from(e.name).toString('hex')),
      ).to.deep.equal(['61206220e29c93', '62', 'ff41'])
      expect(encodeTree(E.isRight(decoded) ? decoded.right : [])).to.deep.equal(bytes)
    })

    it('refuse names that would leave a restore target, and duplicates', () => {
      for (const bad of ['', '.', '..', 'a/b', 'nul\0'])
        expect(() => encodeTree([{ ...aTree[0]!, name: Buffer.from(bad) }]), bad).to.throw(RangeError)
      expect(() => encodeTree([aTree[0]!, aTree[0]!])).to.throw(RangeError)
    })

    it('decode nothing but the canonical encoding: unsorted, trailing, truncated or unsafe bytes are refused', () => {
      const bytes = encodeTree(aTree)
      expect(decodeTree(Buffer.concat([bytes, Buffer.from([0])]))).to.deep.equal(
        E.left({ _tag: 'InvalidEncoding', what: 'tree', reason: 'trailing-bytes' }),
      )
      expect(E.isLeft(decodeTree(bytes.subarray(0, bytes.length - 1)))).to.equal(true)
      const dotdot = Buffer.from(encodeTree([{ ...aTree[0]!, name: Buffer.from('xx') }]))
      dotdot.set(Buffer.from('..'), 11)
      expect(decodeTree(dotdot)).to.deep.equal(
        E.left({ _tag: 'InvalidEncoding', what: 'tree', reason: 'name' }),
      )
      const one = encodeTree([aTree[0]!])
      const two = Buffer.concat([
        Buffer.from('ZKTR'),
        Buffer.from([1, 0, 0, 0, 2]),
        one.subarray(9),
        one.subarray(9),
      ])
      expect(decodeTree(two)).to.deep.equal(
        E.left({ _tag: 'InvalidEncoding', what: 'tree', reason: 'order' }),
      )
    })
  })

  describe('objects', () => {
    it('frame to the Padmé length and unframe exactly, deflated or not', () => {
      const text = Buffer.from('abc'.repeat(1000))
      for (const compress of [false, 6] as const) {
        const framed = frameObject(text, compress)
        expect(unframeObject(framed)).to.deep.equal(E.right(new Uint8Array(text)))
        const padded = Buffer.from(framed)
        padded[padded.length - 1] = 1
        if (framed.length > 5 + (compress ? 0 : text.length))
          expect(unframeObject(padded)).to.deep.equal(E.left('framing'))
      }
      expect(frameObject(text, 6).length).to.be.lessThan(100)
    })

    it('seal under a keyed id and open only as the same type, id and key', async () => {
      const keys = await prepareKeys(generateRepositoryKey())
      const other = await prepareKeys(generateRepositoryKey())
      const plaintext = Buffer.from('chunk bytes')
      const oid = await computeObjectId(keys, 'data', plaintext)
      expect(oid).to.not.equal(await computeObjectId(other, 'data', plaintext))
      expect(oid).to.not.equal(await computeObjectId(keys, 'tree', plaintext))
      const sealed = await sealObject(keys, 'data', oid, plaintext)
      expect(await openObject(keys, 'data', oid, sealed)).to.deep.equal(E.right(new Uint8Array(plaintext)))
      expect(await openObject(keys, 'tree', oid, sealed)).to.deep.equal(
        E.left({ _tag: 'ObjectCorrupt', id: oid, reason: 'auth' }),
      )
      expect(await openObject(other, 'data', oid, sealed)).to.deep.equal(
        E.left({ _tag: 'ObjectCorrupt', id: oid, reason: 'auth' }),
      )
      const liar = await computeObjectId(keys, 'data', Buffer.from('other'))
      const mislabelled = await sealObject(keys, 'data', liar, plaintext)
      expect(await openObject(keys, 'data', liar, mislabelled)).to.deep.equal(
        E.left({ _tag: 'ObjectCorrupt', id: liar, reason: 'id-mismatch' }),
      )
      const v2 = Buffer.from(sealed)
      v2[0] = 2
      expect(await openObject(keys, 'data', oid, v2)).to.deep.equal(
        E.left({ _tag: 'ObjectCorrupt', id: oid, reason: 'format' }),
      )
    })

    it('keep the id a keyed HMAC, never a plain hash of the plaintext', async () => {
      const keys = await prepareKeys(generateRepositoryKey())
      const plaintext = Buffer.from('a known file')
      const plain = Buffer.from(
        await globalThis.crypto.subtle.digest(
          'SHA-256',
          asBufferSource(Buffer.concat([Buffer.from([1]), plaintext])),
        ),
      ).toString('hex')
      expect(await computeObjectId(keys, 'data', plaintext)).to.not.equal(plain)
    })
  })

  describe('packs', () => {
    const objects = [
      { id: id('a'), bytes: new Uint8Array(40).fill(1) },
      { id: id('b'), bytes: new Uint8Array(50).fill(2) },
    ]
    it('carry a header the server parses into offsets and lengths', () => {
      const pack = buildPack(objects)
      expect(pack.packId).to.match(/^[0-9a-f]{64}$/)
      const entries = parsePackHeader(pack.bytes, pack.bytes.length)
      expect(entries).to.deep.equal(
        E.right([
          { id: id('a'), offset: 81, length: 40 },
          { id: id('b'), offset: 121, length: 50 },
        ]),
      )
      expect(pack.bytes.subarray(121, 171)).to.deep.equal(objects[1]!.bytes)
    })

    it('are refused with a wrong size, a repeated id or an object shorter than any sealed object', () => {
      const pack = buildPack(objects)
      expect(parsePackHeader(pack.bytes, pack.bytes.length + 1)).to.deep.equal(
        E.left({ _tag: 'InvalidEncoding', what: 'pack', reason: 'size' }),
      )
      expect(E.isLeft(parsePackHeader(buildPack([objects[0]!, objects[0]!]).bytes, 171 - 10))).to.equal(true)
      expect(parsePackHeader(buildPack([{ id: id('c'), bytes: new Uint8Array(3) }]).bytes, 48)).to.deep.equal(
        E.left({ _tag: 'InvalidEncoding', what: 'pack', reason: 'length' }),
      )
    })

    it('are idempotent by pack id in the store, and another pack under a taken id is refused', async () => {
      const store = inMemorySnapshotStore()
      const pack = buildPack(objects)
      expect(await store.putPack(pack)()).to.deep.equal(E.right(undefined))
      expect(await store.putPack(pack)()).to.deep.equal(E.right(undefined))
      const other = { ...buildPack([objects[0]!]), packId: pack.packId }
      expect(await store.putPack(other)()).to.deep.equal(E.left({ _tag: 'PackExists', packId: pack.packId }))
      expect(await store.has([id('a'), id('c')])()).to.deep.equal(E.right(new Set([id('a')])))
    })
  })

  describe('excludes', () => {
    it('match base names at any depth, and anchored paths with their contents', () => {
      const ex = excluder(['*.tmp', 'node_modules', '/home/u/cache', '/srv/**/logs', '# comment', ''])
      const t = (p: string) => ex(Buffer.from(p))
      expect([
        t('/a/b.tmp'),
        t('/x/node_modules/y/z.js'),
        t('/home/u/cache/f'),
        t('/srv/a/b/logs/x'),
        t('/home/u/cache2'),
        t('/a/tmp'),
      ]).to.deep.equal([true, true, true, true, false, false])
    })
  })
})

import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { buildPack, MAX_PACK_BYTES as CLIENT_MAX_PACK_BYTES } from '../../client/snapshot/pack'
import {
  MAX_OBJECT_BYTES as CLIENT_MAX,
  MIN_OBJECT_BYTES as CLIENT_MIN,
  type ObjectId as ClientObjectId,
} from '../../client/snapshot/object'
import { badPack } from '../../domain/snapshot-errors'
import {
  MAX_OBJECT_BYTES,
  MAX_PACK_BYTES,
  MIN_OBJECT_BYTES,
  packHeaderLength,
  packObjectCount,
  parsePackHeader,
} from '../../domain/snapshot-pack'

const anObject = (length: number) => ({
  id: randomBytes(32).toString('hex') as ClientObjectId,
  bytes: new Uint8Array(randomBytes(length)),
})

/** A header by hand: magic, version, count, then (id, length) pairs. */
const header = (
  entries: ReadonlyArray<[Buffer, number]>,
  { magic = 'ZKPK', version = 1, count = entries.length } = {},
) => {
  const out = Buffer.alloc(9 + 36 * entries.length)
  out.write(magic, 0, 'latin1')
  out.writeUInt8(version, 4)
  out.writeUInt32BE(count, 5)
  entries.forEach(([id, length], i) => {
    id.copy(out, 9 + 36 * i)
    out.writeUInt32BE(length, 9 + 36 * i + 32)
  })
  return new Uint8Array(out)
}

describe('pack header (protocol v1.1 §6), as the server parses it', () => {
  it('agrees with the client on the object bounds and the pack limit', () => {
    expect([MIN_OBJECT_BYTES, MAX_OBJECT_BYTES, MAX_PACK_BYTES]).to.deep.equal([
      CLIENT_MIN,
      CLIENT_MAX,
      CLIENT_MAX_PACK_BYTES,
    ])
  })

  it("finds every object of the client's pack where the client put it", () => {
    const pack = buildPack([anObject(34), anObject(1000), anObject(77)])
    const parsed = parsePackHeader(pack.bytes.subarray(0, packHeaderLength(3)), pack.bytes.length)
    expect(parsed).to.deep.equal(
      E.right(pack.entries.map((e) => ({ objectId: e.id, offset: e.offset, length: e.length }))),
    )
  })

  it('reads the announced count from the first 9 bytes', () => {
    const pack = buildPack([anObject(50), anObject(50)])
    expect(packObjectCount(pack.bytes.subarray(0, 9))).to.deep.equal(E.right(2))
  })

  const id = () => randomBytes(32)
  const refusals: Array<[string, Uint8Array, number, string]> = [
    ['another magic', header([[id(), 40]], { magic: 'ZKPX' }), 9 + 36 + 40, 'magic'],
    ['another version', header([[id(), 40]], { version: 2 }), 9 + 36 + 40, 'version'],
    ['no object', header([], { count: 0 }), 9, 'count'],
    ['more than 65,536 objects', header([], { count: 65_537 }), 9, 'count'],
    ['an object shorter than an empty one', header([[id(), 33]], {}), 9 + 36 + 33, 'length'],
    [
      'an object longer than the largest',
      header([[id(), MAX_OBJECT_BYTES + 1]], {}),
      9 + 36 + MAX_OBJECT_BYTES + 1,
      'length',
    ],
    [
      'an id twice',
      (() => {
        const same = id()
        return header([
          [same, 40],
          [same, 40],
        ])
      })(),
      9 + 72 + 80,
      'duplicate-id',
    ],
    ['lengths that do not add up to the body', header([[id(), 40]]), 9 + 36 + 41, 'size'],
    [
      'a header cut short',
      header([
        [id(), 40],
        [id(), 40],
      ]).subarray(0, 60),
      9 + 72 + 80,
      'size',
    ],
  ]
  for (const [what, bytes, total, reason] of refusals)
    it(`refuses ${what} (${reason})`, () => {
      expect(parsePackHeader(bytes, total)).to.deep.equal(E.left(badPack(reason as never)))
    })
})

/**
 * The binary COPY parser (adapters/persistence/pg-session/binary-copy-fields.ts) on PostgreSQL's documented
 * format, cut at every possible piece boundary: the blob store's downloads depend on it byte for byte.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { binaryCopyFields } from '../../../../adapters/persistence/pg-session/binary-copy-fields'

const collect = async (pieces: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const piece of pieces) parts.push(piece)
  return Buffer.concat(parts)
}

/** A binary COPY of one bytea column holding `rows`, with a header extension of `extension` bytes. */
const binaryCopy = (rows: Buffer[], extension = 0): Buffer => {
  const header = Buffer.alloc(19 + extension)
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1').copy(header)
  header.writeInt32BE(extension, 15)
  const tuples = rows.map((row) => {
    const head = Buffer.alloc(6)
    head.writeInt16BE(1, 0)
    head.writeInt32BE(row.length, 2)
    return Buffer.concat([head, row])
  })
  return Buffer.concat([header, ...tuples, Buffer.from([0xff, 0xff])])
}

const cutAt = (bytes: Buffer, cuts: number[]): Buffer[] =>
  [...cuts, bytes.length].map((cut, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], cut))

describe('binary COPY parser', () => {
  const rows = [randomBytes(7), Buffer.alloc(0), randomBytes(30)]
  const copy = binaryCopy(rows, 3)

  it('yields every field byte in order wherever the pieces are cut', async () => {
    for (let first = 0; first <= copy.length; first++)
      for (let second = first; second <= copy.length; second += 5)
        expect(
          (await collect(binaryCopyFields(cutAt(copy, [first, second])))).equals(Buffer.concat(rows)),
        ).to.equal(true)
  })

  it('refuses a stream without its trailer, a wrong signature and rows of several fields', async () => {
    const refuses = (bytes: Buffer) =>
      collect(binaryCopyFields(cutAt(bytes, []))).then(
        () => 'accepted',
        (e: Error) => e.message,
      )
    expect(await refuses(copy.subarray(0, copy.length - 2))).to.match(/before its trailer/)
    expect(await refuses(Buffer.concat([Buffer.from('X'), copy.subarray(1)]))).to.match(/signature/)
    const twoFields = Buffer.from(copy)
    twoFields.writeInt16BE(2, 22)
    expect(await refuses(twoFields)).to.match(/one field/)
  })
})

import { expect } from 'chai'
import * as fc from 'fast-check'
import * as E from 'fp-ts/Either'
import {
  decryptSegments,
  encryptedLength,
  encryptSegments,
  generateDek,
  paddedLength,
  paddingFor,
  padmeLength,
  unpadder,
} from '../../../client/crypto'
import { aBackupId, collect, inChunks } from '../support'

const concat = (parts: Iterable<Uint8Array>): Uint8Array => new Uint8Array(Buffer.concat([...parts]))

describe('Padmé padding', () => {
  it('rounds lengths as the Padmé paper does', () => {
    const table: ReadonlyArray<[number, number]> = [
      [0, 0],
      [1, 1],
      [2, 2],
      [9, 10],
      [100, 104],
      [1000, 1024],
      [1_048_577, 1_081_344],
      [2 ** 40 + 1, 2 ** 40 + 2 ** 34],
    ]
    for (const [n, padded] of table) expect(padmeLength(n), `padme(${n})`).to.equal(padded)
  })

  it('never shrinks and adds at most 12 % (plus the one-byte marker)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), (n) => {
        const padded = paddedLength(n)
        return padded > n && padded <= Math.max(n + 1, (n + 1) * 1.12)
      }),
    )
  })

  it('frames content as content || 0x80 || zeros up to the padded length', () => {
    const padding = concat(paddingFor(100))
    expect(padding.length).to.equal(paddedLength(100) - 100)
    expect(padding[0]).to.equal(0x80)
    expect(padding.subarray(1).every((b) => b === 0)).to.equal(true)
  })

  it('unpads content made of zeros and 0x80 bytes split anywhere, in bounded chunks', () => {
    const byte = fc.constantFrom(0x00, 0x80, 0x01)
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(byte, { maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (head, tail, split) => {
          const content = new Uint8Array([...head, ...tail])
          const padded = concat([content, ...paddingFor(content.length)])
          const u = unpadder()
          const out: Uint8Array[] = []
          for (let i = 0; i < padded.length; i += split) out.push(...u.push(padded.subarray(i, i + split)))
          expect(u.finish()).to.deep.equal(E.right({ plaintextLength: content.length }))
          expect(concat(out)).to.deep.equal(content)
          out.forEach((chunk) => expect(chunk.length).to.be.at.most(Math.max(split, 64 * 1024)))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('does not hold trailing zeros of the content in memory: 5 MiB of zeros come out as bounded chunks', () => {
    const u = unpadder()
    const out: number[] = []
    for (let i = 0; i < 5 * 16; i++) for (const c of u.push(new Uint8Array(64 * 1024))) out.push(c.length)
    expect(out).to.deep.equal([])
    for (const c of u.push(Uint8Array.of(7, 0x80))) out.push(c.length)
    expect(out.reduce((a, b) => a + b, 0)).to.equal(5 * 1024 * 1024 + 1)
    expect(Math.max(...out)).to.equal(64 * 1024)
  })

  it('round-trips random content through segments with random segment sizes and chunking', async () => {
    const dek = generateDek()
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 150 }),
        async (content, segmentSize, chunk) => {
          const ct = await collect(encryptSegments(dek, aBackupId, inChunks(content, chunk), { segmentSize }))
          expect(ct.length).to.equal(encryptedLength(content.length, segmentSize))
          expect(await collect(decryptSegments(dek, aBackupId, inChunks(ct, chunk)))).to.deep.equal(content)
        },
      ),
      { numRuns: 100 },
    )
  })
})

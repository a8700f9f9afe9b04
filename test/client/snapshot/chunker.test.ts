import { expect } from 'chai'
import {
  chunkReader,
  chunksOf,
  cutWithHash,
  gearTableFromBytes,
  gearTableValues,
  makeCdc,
  publishedGearTable,
  SNAPSHOT_CHUNKER,
  type ChunkerParams,
} from '../../../client/snapshot'
import { deterministicBytes, seededBytes } from './deterministic'
import { referenceChunks } from './fastcdc-reference'

const published = publishedGearTable()
const params = (
  minSize: number,
  avgSize: number,
  maxSize: number,
  normalization: 0 | 1 | 2 | 3 = 1,
): ChunkerParams => ({
  minSize,
  avgSize,
  maxSize,
  normalization,
})

const cutAll = (p: ChunkerParams, bytes: Uint8Array, table = published) => {
  const cdc = makeCdc(table, p)
  const out: Array<{ offset: number; length: number; hash: string }> = []
  for (let offset = 0; offset < bytes.length;) {
    const { length, hash } = cutWithHash(cdc, bytes, offset, bytes.length)
    out.push({ offset, length, hash: hash.toString() })
    offset += length
  }
  return out
}

describe('FastCDC 2020 chunker', () => {
  it('derives the published gear table (fastcdc-rs GEAR: MD5 of 64 equal bytes)', () => {
    const values = gearTableValues(published)
    expect(values[0]!.toString(16)).to.equal('3b5d3c7d207e37dc')
    expect(values[1]!.toString(16)).to.equal('784d68ba91123086')
    expect(values[254]!.toString(16)).to.equal('e1d830d3f16c5ddb')
    expect(values[255]!.toString(16)).to.equal('aabd2b2a451504e1')
  })

  it('reproduces fastcdc-rs test_cut_all_zeros: ten 1024-byte chunks, hash 14169102344523991076', () => {
    const chunks = cutAll(params(64, 256, 1024), new Uint8Array(10240))
    expect(chunks.map((c) => c.length)).to.deep.equal(Array(10).fill(1024))
    expect(new Set(chunks.map((c) => c.hash))).to.deep.equal(new Set(['14169102344523991076']))
  })

  for (const [name, p] of [
    ['16 KiB, level 1', params(4096, 16384, 65535)],
    ['32 KiB, level 1', params(8192, 32768, 131072)],
    ['64 KiB, level 1', params(16384, 65536, 262144)],
    ['16 KiB, level 0', params(4096, 16384, 65535, 0)],
    ['16 KiB, level 3', params(8192, 16384, 32768, 3)],
    ['256 B with odd sizes', params(65, 256, 1023)],
  ] as const)
    it(`agrees with the BigInt transliteration of fastcdc-rs cut() (${name})`, () => {
      const input = deterministicBytes(600_000)
      const expected = referenceChunks(
        gearTableValues(published),
        input,
        p.minSize,
        p.avgSize,
        p.maxSize,
        p.normalization,
      )
      expect(cutAll(p, input)).to.deep.equal(expected)
    })

  it('agrees with the reference under a keyed table too', () => {
    const table = gearTableFromBytes(seededBytes(2048, 7))
    const input = seededBytes(400_000, 3)
    const expected = referenceChunks(gearTableValues(table), input, 2048, 8192, 32768, 1)
    expect(cutAll(params(2048, 8192, 32768), input, table)).to.deep.equal(expected)
  })

  it('cuts a stream at the same points whatever the read sizes', async () => {
    const cdc = makeCdc(published, params(4096, 16384, 65535))
    const input = seededBytes(1_000_000, 11)
    const whole = [...chunksOf(cdc, input)].map((c) => c.length)
    let at = 0
    let step = 1
    const read = (buf: Uint8Array, offset: number, length: number) => {
      const n = Math.min(length, input.length - at, (step = (step * 7919) % 50_000) + 1)
      buf.set(input.subarray(at, at + n), offset)
      at += n
      return Promise.resolve(n)
    }
    const streamed: number[] = []
    for await (const c of chunkReader(cdc).chunks(read)) streamed.push(c.length)
    expect(streamed).to.deep.equal(whole)
  })

  it('keeps protocol sizes between 512 KiB and 8 MiB, about 1 MiB apart past the minimum', () => {
    const cdc = makeCdc(published, SNAPSHOT_CHUNKER)
    const lengths = [...chunksOf(cdc, seededBytes(64 * 1024 * 1024, 5))].map((c) => c.length)
    expect(Math.min(...lengths.slice(0, -1))).to.be.at.least(512 * 1024)
    expect(Math.max(...lengths)).to.be.at.most(8 * 1024 * 1024)
    const mean = (64 * 1024 * 1024) / lengths.length
    expect(mean).to.be.within(1.0 * 1024 * 1024, 2 * 1024 * 1024)
  })

  it('changes only the chunks around an insertion in the middle of a large file', () => {
    const cdc = makeCdc(published, SNAPSHOT_CHUNKER)
    const original = seededBytes(32 * 1024 * 1024, 9)
    const edited = Buffer.concat([
      original.subarray(0, 16_000_000),
      Buffer.from('inserted bytes'),
      original.subarray(16_000_000),
    ])
    const key = (c: Uint8Array) => Buffer.from(c).toString('base64').slice(0, 40) + c.length
    const before = new Set([...chunksOf(cdc, original)].map(key))
    const after = [...chunksOf(cdc, edited)].map(key)
    expect(after.filter((k) => !before.has(k)).length).to.be.at.most(2)
  })
})

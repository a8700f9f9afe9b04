import { expect } from 'chai'
import {
  asKey,
  decryptSegments,
  Dek,
  encryptedLength,
  encryptSegments,
  encodeHeader,
  gcmEncrypt,
  generateDek,
  importAesGcmKey,
  isStreamDecryptionError,
  segmentAad,
  segmentNonce,
  StreamError,
} from '../../../client/crypto'
import { aBackupId, anotherBackupId, collect, counting, inChunks, rejection } from '../support'

const SEGMENT = 64
const FRAME = SEGMENT + 16
const HEADER = 16
const dek = generateDek()

const encrypt = (plaintext: Uint8Array, options: { segmentSize?: number; chunk?: number } = {}) =>
  collect(
    encryptSegments(dek, aBackupId, inChunks(plaintext, options.chunk ?? 1 << 30), {
      segmentSize: options.segmentSize ?? SEGMENT,
    }),
  )

const decrypt = (ciphertext: Uint8Array, key: Dek = dek, backupId = aBackupId, chunk = 1 << 30) =>
  collect(decryptSegments(key, backupId, inChunks(ciphertext, chunk)))

/** The tagged error a refused stream carries. */
const refusal = async (p: Promise<unknown>): Promise<StreamError> => {
  const e = await rejection(p)
  if (!isStreamDecryptionError(e)) throw e
  return e.error
}

const splice = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts))
const frame = (ct: Uint8Array, i: number): Uint8Array =>
  ct.subarray(HEADER + i * FRAME, HEADER + (i + 1) * FRAME)

describe('segment stream encryption', () => {
  describe('round trips', () => {
    for (const size of [0, 1, SEGMENT - 2, SEGMENT - 1, SEGMENT, SEGMENT + 1, 5 * SEGMENT + 7, 1000]) {
      it(`restores ${size} bytes exactly, whatever the chunking on either side`, async () => {
        const plaintext = counting(size, 3)
        for (const chunk of [1, 7, SEGMENT + 1, 1 << 30]) {
          const ciphertext = await encrypt(plaintext, { chunk })
          expect(ciphertext.length).to.equal(encryptedLength(size, SEGMENT))
          expect(await decrypt(ciphertext, dek, aBackupId, chunk)).to.deep.equal(plaintext)
        }
      })
    }

    it('uses 1 MiB segments by default and restores 1 MiB ± 1 bytes', async () => {
      for (const size of [1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1]) {
        const plaintext = counting(size)
        const ciphertext = await collect(encryptSegments(dek, aBackupId, inChunks(plaintext, 100_000)))
        expect(ciphertext.subarray(5, 9)).to.deep.equal(Uint8Array.of(0, 0x10, 0, 0))
        expect(ciphertext.length).to.equal(encryptedLength(size))
        expect(await collect(decryptSegments(dek, aBackupId, inChunks(ciphertext, 65_536)))).to.deep.equal(
          plaintext,
        )
      }
    })

    it('hides the exact length: nearby sizes give the same ciphertext length', async () => {
      const lengths = await Promise.all(
        [1000, 1010, 1020].map(async (n) => (await encrypt(counting(n))).length),
      )
      expect(new Set(lengths).size).to.equal(1)
    })

    it('never produces the same ciphertext twice for the same plaintext (random nonce prefix)', async () => {
      const plaintext = counting(100)
      expect(await encrypt(plaintext)).not.to.deep.equal(await encrypt(plaintext))
    })
  })

  describe('refuses a stream that is not exactly what was written for this backup', () => {
    const plaintext = counting(300, 1) // padded to 304 bytes: segments of 64, 64, 64, 64, 48
    let ct: Uint8Array
    before(async () => {
      ct = await encrypt(plaintext)
      expect(ct.length).to.equal(HEADER + 4 * FRAME + 48 + 16)
    })

    it('a flipped byte anywhere in a segment, naming the segment', async () => {
      for (const [offset, index] of [
        [HEADER, 0],
        [HEADER + FRAME + 5, 1],
        [HEADER + 4 * FRAME + 60, 4],
        [ct.length - 1, 4],
      ] as const) {
        const tampered = ct.slice()
        tampered[offset]! ^= 0x01
        expect(await refusal(decrypt(tampered))).to.deep.equal({ _tag: 'SegmentAuthFailed', index })
      }
    })

    it('a flipped byte in the header (it is in every segment AAD)', async () => {
      const magic = ct.slice()
      magic[0]! ^= 0x01
      expect(await refusal(decrypt(magic))).to.deep.equal({ _tag: 'BadStreamHeader', reason: 'magic' })
      const version = ct.slice()
      version[4] = 2
      expect(await refusal(decrypt(version))).to.deep.equal({ _tag: 'BadStreamHeader', reason: 'version' })
      const prefix = ct.slice()
      prefix[HEADER - 1]! ^= 0x01
      expect(await refusal(decrypt(prefix))).to.deep.equal({ _tag: 'SegmentAuthFailed', index: 0 })
    })

    it('a missing last segment, as truncation', async () => {
      const cut = ct.subarray(0, HEADER + 4 * FRAME)
      expect(await refusal(decrypt(cut))).to.deep.equal({ _tag: 'StreamTruncated', segmentsRead: 4 })
    })

    it('a stream cut inside a segment, after the header, or before the header ends', async () => {
      expect(await refusal(decrypt(ct.subarray(0, ct.length - 1)))).to.deep.equal({
        _tag: 'SegmentAuthFailed',
        index: 4,
      })
      expect(await refusal(decrypt(ct.subarray(0, HEADER)))).to.deep.equal({
        _tag: 'StreamTruncated',
        segmentsRead: 0,
      })
      expect(await refusal(decrypt(ct.subarray(0, 10)))).to.deep.equal({
        _tag: 'StreamTruncated',
        segmentsRead: 0,
      })
      expect(await refusal(decrypt(new Uint8Array(0)))).to.deep.equal({
        _tag: 'StreamTruncated',
        segmentsRead: 0,
      })
    })

    it('reordered, dropped or duplicated segments', async () => {
      const swapped = splice(
        ct.subarray(0, HEADER),
        frame(ct, 0),
        frame(ct, 2),
        frame(ct, 1),
        ct.subarray(HEADER + 3 * FRAME),
      )
      expect(await refusal(decrypt(swapped))).to.deep.equal({ _tag: 'SegmentAuthFailed', index: 1 })
      const dropped = splice(ct.subarray(0, HEADER + FRAME), ct.subarray(HEADER + 2 * FRAME))
      expect(await refusal(decrypt(dropped))).to.deep.equal({ _tag: 'SegmentAuthFailed', index: 1 })
      const doubled = splice(ct.subarray(0, HEADER + FRAME), frame(ct, 0), ct.subarray(HEADER + FRAME))
      expect(await refusal(decrypt(doubled))).to.deep.equal({ _tag: 'SegmentAuthFailed', index: 1 })
    })

    it('segments spliced from another backup, even under the same DEK and header', async () => {
      const other = await collect(
        encryptSegments(dek, anotherBackupId, [plaintext], {
          segmentSize: SEGMENT,
          random: () => ct.slice(9, 16),
        }),
      )
      expect(other.subarray(0, HEADER)).to.deep.equal(ct.subarray(0, HEADER))
      const spliced = splice(ct.subarray(0, HEADER + FRAME), frame(other, 1), ct.subarray(HEADER + 2 * FRAME))
      expect(await refusal(decrypt(spliced))).to.deep.equal({ _tag: 'SegmentAuthFailed', index: 1 })
      expect(await refusal(decrypt(ct, dek, anotherBackupId))).to.deep.equal({
        _tag: 'SegmentAuthFailed',
        index: 0,
      })
    })

    it('another DEK', async () => {
      expect(await refusal(decrypt(ct, generateDek()))).to.deep.equal({ _tag: 'SegmentAuthFailed', index: 0 })
    })

    it('bytes appended after the last segment', async () => {
      const full = await encrypt(counting(SEGMENT - 1)) // padded to exactly one full segment
      const extended = splice(full, Uint8Array.of(1, 2, 3))
      expect(await refusal(decrypt(extended))).to.deep.equal({ _tag: 'StreamTrailingData', segmentsRead: 1 })
      const appendedFrame = splice(full, new Uint8Array(FRAME))
      expect(await refusal(decrypt(appendedFrame))).to.deep.equal({
        _tag: 'StreamTrailingData',
        segmentsRead: 1,
      })
      // After a short last segment the appended bytes read as part of it: still refused, as that segment.
      const afterShort = splice(ct, Uint8Array.of(0))
      expect(await refusal(decrypt(afterShort))).to.deep.equal({ _tag: 'SegmentAuthFailed', index: 4 })
    })

    it('a header announcing segments larger than the reader accepts (memory bound)', async () => {
      const big = await collect(
        encryptSegments(dek, aBackupId, [counting(10)], { segmentSize: 2 * 1024 * 1024 }),
      )
      expect(await refusal(decrypt(big))).to.deep.equal({ _tag: 'BadStreamHeader', reason: 'segment-size' })
      const accepted = decryptSegments(dek, aBackupId, [big], { maxSegmentSize: 2 * 1024 * 1024 })
      expect(await collect(accepted)).to.deep.equal(counting(10))
    })

    it('authentic content whose padding is not canonical (a buggy writer holding the key)', async () => {
      const writeRaw = async (lastPlaintext: Uint8Array): Promise<Uint8Array> => {
        const header = encodeHeader(SEGMENT, new Uint8Array(7))
        const key = await importAesGcmKey(asKey(dek), 'encrypt')
        const sealed = await gcmEncrypt(
          key,
          segmentNonce(header, 0, true),
          lastPlaintext,
          segmentAad(header, aBackupId),
        )
        return splice(header.bytes, sealed)
      }
      const noMarker = await writeRaw(Uint8Array.of(1, 2, 3))
      expect(await refusal(decrypt(noMarker))).to.deep.equal({ _tag: 'BadPadding' })
      const overPadded = await writeRaw(Uint8Array.of(1, 0x80, 0, 0, 0, 0, 0, 0))
      expect(await refusal(decrypt(overPadded))).to.deep.equal({ _tag: 'BadPadding' })
    })
  })
})

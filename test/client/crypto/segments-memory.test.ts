import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { expect } from 'chai'
import { decryptSegments, encryptSegments, generateDek } from '../../../client/crypto'
import { aBackupId } from '../support'

const MiB = 1024 * 1024
const TOTAL = 64 * MiB
const CHUNK = 64 * 1024

const base = Uint8Array.from({ length: CHUNK }, (_, j) => (j * 131 + (j >>> 7)) & 0xff)

/** Byte i of the generated content: a fixed block whose first 4 bytes number the chunk. */
const byteAt = (i: number): number => {
  const j = i % CHUNK
  return j < 4 ? (Math.floor(i / CHUNK) >>> (8 * (3 - j))) & 0xff : base[j]!
}

/** 64 MiB of content produced chunk by chunk, never held whole. */
async function* generated(): AsyncGenerator<Uint8Array> {
  for (let k = 0; k < TOTAL / CHUNK; k++) {
    const chunk = base.slice()
    new DataView(chunk.buffer).setUint32(0, k)
    yield chunk
    await Promise.resolve()
  }
}

/** V8's collector, reachable without --expose-gc so the measurement sees live memory, not garbage. */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
})()

/**
 * Live heap + external memory after a full collection. `external`, not `arrayBuffers`: WebCrypto results are
 * backing stores Node allocates itself, which only `external` counts. V8 frees them on a background sweeper,
 * so the count is read after a macrotask, once that sweep has had a chance to finish.
 */
const liveBytes = async (): Promise<number> => {
  for (let i = 0; i < 2; i++) {
    collectGarbage()
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

describe('segment stream memory', () => {
  it('encrypts and decrypts a 64 MiB stream with live memory growing by a few segments, not by the stream', async () => {
    const dek = generateDek()
    const baseline = await liveBytes()
    let peak = baseline
    let restored = 0
    let mismatches = 0
    for await (const chunk of decryptSegments(dek, aBackupId, encryptSegments(dek, aBackupId, generated()))) {
      for (let j = 0; j < chunk.length; j += 1021) if (chunk[j] !== byteAt(restored + j)) mismatches++
      if (restored % (4 * MiB) > (restored + chunk.length) % (4 * MiB))
        peak = Math.max(peak, await liveBytes())
      restored += chunk.length
    }
    expect(restored).to.equal(TOTAL)
    expect(mismatches).to.equal(0)
    expect(peak - baseline, `peak growth ${((peak - baseline) / MiB).toFixed(1)} MiB`).to.be.below(16 * MiB)
  }).timeout(30_000)
})

/**
 * A second, independent FastCDC 2020 implementation for the tests: a direct transliteration of fastcdc-rs's
 * v2020 `cut` (two bytes per step with the left-shifted table, 64-bit BigInt arithmetic, the shifted masks),
 * deliberately unlike the client's 32-bit loop with lazy 64-bit checks. Slow; only for small inputs.
 */
const U64 = (1n << 64n) - 1n

const MASKS: ReadonlyArray<bigint> = [
  0n,
  0n,
  0n,
  0n,
  0n,
  0x0000000001804110n,
  0x0000000001803110n,
  0x0000000018035100n,
  0x0000001800035300n,
  0x0000019000353000n,
  0x0000590003530000n,
  0x0000d90003530000n,
  0x0000d90103530000n,
  0x0000d90303530000n,
  0x0000d90313530000n,
  0x0000d90f03530000n,
  0x0000d90303537000n,
  0x0000d90703537000n,
  0x0000d90707537000n,
  0x0000d91707537000n,
  0x0000d91747537000n,
  0x0000d91767537000n,
  0x0000d93767537000n,
  0x0000d93777537000n,
  0x0000d93777577000n,
  0x0000db3777577000n,
]

export type ReferenceChunk = Readonly<{ offset: number; length: number; hash: string }>

export const referenceChunks = (
  gear: ReadonlyArray<bigint>,
  source: Uint8Array,
  minSize: number,
  avgSize: number,
  maxSize: number,
  level: number,
): ReadonlyArray<ReferenceChunk> => {
  const gearLs = gear.map((g) => (g << 1n) & U64)
  const bits = Math.round(Math.log2(avgSize))
  const maskS = MASKS[bits + level]!
  const maskL = MASKS[bits - level]!
  const maskSLs = maskS << 1n
  const maskLLs = maskL << 1n
  const cut = (src: Uint8Array): [bigint, number] => {
    let remaining = src.length
    if (remaining <= minSize) return [0n, remaining]
    let center = avgSize
    if (remaining > maxSize) remaining = maxSize
    else if (remaining < center) center = remaining
    let index = Math.floor(minSize / 2)
    let hash = 0n
    while (index < Math.floor(center / 2)) {
      const a = index * 2
      hash = ((hash << 2n) + gearLs[src[a]!]!) & U64
      if ((hash & maskSLs) === 0n) return [hash, a]
      hash = (hash + gear[src[a + 1]!]!) & U64
      if ((hash & maskS) === 0n) return [hash, a + 1]
      index++
    }
    while (index < Math.floor(remaining / 2)) {
      const a = index * 2
      hash = ((hash << 2n) + gearLs[src[a]!]!) & U64
      if ((hash & maskLLs) === 0n) return [hash, a]
      hash = (hash + gear[src[a + 1]!]!) & U64
      if ((hash & maskL) === 0n) return [hash, a + 1]
      index++
    }
    return [hash, remaining]
  }
  const out: ReferenceChunk[] = []
  for (let offset = 0; offset < source.length;) {
    const [hash, length] = cut(source.subarray(offset))
    out.push({ offset, length, hash: hash.toString() })
    offset += length
  }
  return out
}

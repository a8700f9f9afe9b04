/**
 * Knows how to gather incoming chunks of any size and hand out exact-size frames, copying only what it hands
 * out. Memory is what has been pushed and not yet taken.
 */
export type ByteQueue = {
  readonly length: () => number
  readonly push: (chunk: Uint8Array) => void
  /** Removes and returns the first `n` bytes (n ≤ length) as a new array. */
  readonly take: (n: number) => Uint8Array
}

export const byteQueue = (): ByteQueue => {
  const chunks: Uint8Array[] = []
  let length = 0
  const take = (n: number): Uint8Array => {
    if (n > length) throw new RangeError('ByteQueue.take: not enough bytes')
    const out = new Uint8Array(n)
    for (let filled = 0; filled < n;) {
      const head = chunks[0]!
      const used = Math.min(head.length, n - filled)
      out.set(head.subarray(0, used), filled)
      filled += used
      if (used === head.length) chunks.shift()
      else chunks[0] = head.subarray(used)
    }
    length -= n
    return out
  }
  const push = (chunk: Uint8Array): void => {
    // SECURITY/robustness: copy, because producers (Node streams, readers) may reuse their buffers.
    if (chunk.length > 0) chunks.push(chunk.slice())
    length += chunk.length
  }
  return { length: () => length, push, take }
}

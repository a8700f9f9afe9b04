/**
 * Measures how much a server process's resident memory grows while some work runs, and makes the large bodies
 * to run through it. Shared by the memory suites of every upload route (one-shot, restic, tus).
 *
 * Why the kernel's high-water mark and not samples alone: a peak shorter than the sampling interval is missed
 * by sampling, and under CI load the sampler itself is late. Writing 5 to /proc/PID/clear_refs resets VmHWM to
 * the current RSS (Linux ≥ 4.0), so VmHWM after the work is the exact peak during it. Sampling still runs as a
 * fallback where clear_refs cannot be written (another user's process, some containers).
 */
import { createHash, type Hash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'

export const MiB = 1024 * 1024

const statusField = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) *
  1024

/** Resident set size of `pid` now (Linux). */
export const rssOf = (pid: number): number => statusField(pid, 'VmRSS')

const resetHighWaterMark = (pid: number): boolean => {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

export type MemoryMeter = Readonly<{
  baselineBytes: number
  /** 'high-water mark' when the kernel's exact peak is read, 'sampled' otherwise. */
  method: 'high-water mark' | 'sampled'
  /** The highest RSS since the meter started, minus the baseline. */
  growthBytes: () => number
  stop: () => void
}>

/**
 * Starts watching `pid`: its RSS now is the baseline, and every later reading reports the highest RSS since.
 * Several phases (upload, then download) read it in turn against the one baseline taken before the first.
 */
export const meterMemory = (pid: number): MemoryMeter => {
  const exact = resetHighWaterMark(pid)
  const baselineBytes = rssOf(pid)
  let sampled = baselineBytes
  const timer = setInterval(() => (sampled = Math.max(sampled, rssOf(pid))), 25).unref()
  return {
    baselineBytes,
    method: exact ? 'high-water mark' : 'sampled',
    growthBytes: () => Math.max(sampled, rssOf(pid), exact ? statusField(pid, 'VmHWM') : 0) - baselineBytes,
    stop: () => clearInterval(timer),
  }
}

export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`

/**
 * `totalMiB` MiB of incompressible-looking bytes, one MiB at a time: one pseudo-random block, each copy stamped
 * with its index so no two MiB are equal. Cheap to make twice (once to hash, once to send).
 */
export function* largeBody(totalMiB: number): Generator<Buffer> {
  const block = Buffer.alloc(MiB)
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i)
  for (let i = 0; i < totalMiB; i++) {
    const chunk = Buffer.from(block)
    chunk.writeUInt32BE(i, 0)
    yield chunk
  }
}

export const sha256Of = (chunks: Iterable<Buffer>): string => {
  const hash = createHash('sha256')
  for (const chunk of chunks) hash.update(chunk)
  return hash.digest('hex')
}

export type StreamedAnswer = Readonly<{ status: number; sha256: string; bytes: number; text: string }>

export type StreamedRequest = Readonly<{
  method: string
  headers?: Readonly<Record<string, string | number>>
  /** Sent under backpressure, with the Content-Length given in `headers` (as restic and the SDK send it). */
  body?: Iterable<Buffer>
}>

/**
 * One HTTP request whose body is written only as fast as the server reads it, and whose answer is hashed
 * as it arrives (never held whole; `text` keeps the first 64 KiB for error messages).
 */
export const streamedRequest = (url: string, { method, headers = {}, body }: StreamedRequest) =>
  new Promise<StreamedAnswer>((resolve, reject) => {
    const req = request(url, { method, headers })
    req.on('response', (res) => {
      const hash: Hash = createHash('sha256')
      let bytes = 0
      let text = ''
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk)
        bytes += chunk.length
        if (text.length < 65536) text += chunk.toString('latin1', 0, 65536 - text.length)
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex'), bytes, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    const chunks = body?.[Symbol.iterator]()
    const pump = (): void => {
      for (let next = chunks?.next(); next !== undefined && next.done !== true; next = chunks?.next())
        if (!req.write(next.value)) return void req.once('drain', pump)
      req.end()
    }
    pump()
  })

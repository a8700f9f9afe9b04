/**
 * Large transfers, measured with fetch rather than autocannon (which buffers every body it sends): `concurrency`
 * loops each downloading (or uploading) one whole body after another for `durationS`, reading the stream to
 * the end. The rate is bytes per second; resident memory is watched to show it stays flat.
 */
import { Readable } from 'node:stream'
import { watchServers, type LoadResult } from './load'
import { latencyOf } from './stats'

export const downloadLoop = async (
  url: string,
  token: string,
  concurrency: number,
  durationS: number,
  pids: ReadonlyArray<number>,
): Promise<LoadResult> => {
  const stop = watchServers(pids)
  const started = performance.now()
  const deadline = started + durationS * 1000
  const samples: Array<number> = []
  let bytes = 0
  let errors = 0
  const loop = async () => {
    do {
      const t0 = performance.now()
      try {
        const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } })
        if (res.status !== 200 || res.body === null) errors++
        else for await (const chunk of Readable.fromWeb(res.body as never)) bytes += (chunk as Buffer).length
      } catch {
        errors++
      }
      samples.push(performance.now() - t0)
    } while (performance.now() < deadline)
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const seconds = (performance.now() - started) / 1000
  return {
    requests: samples.length,
    seconds,
    rps: samples.length / seconds,
    latencyMs: latencyOf(samples),
    errors,
    non2xx: errors,
    bytesPerSecond: bytes / seconds,
    server: stop(),
  }
}

/**
 * Drives one scenario with autocannon and measures the server meanwhile: requests/s, latency percentiles from
 * every response's own time (autocannon's summary has no p95), errors (non-2xx, timeouts, socket errors), and
 * the server's CPU time and resident memory read from /proc while the load runs.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { latencyOf, type Latency } from './stats'

export type RequestSpec = autocannon.Request

export type LoadOptions = Readonly<{
  url: string | ReadonlyArray<string>
  connections: number
  durationS?: number
  /** Stop after this many requests instead of after durationS. */
  amount?: number
  requests?: ReadonlyArray<RequestSpec>
  method?: autocannon.Request['method']
  headers?: Record<string, string>
  /** Requests per second over all connections (open loop); unset: as fast as answers come (closed loop). */
  overallRate?: number
  /** Server processes to watch. */
  pids: ReadonlyArray<number>
  timeoutS?: number
}>

export type ServerUsage = Readonly<{
  cpuPercent: number
  peakRssBytes: number
  startRssBytes: number
  endRssBytes: number
}>

export type LoadResult = Readonly<{
  requests: number
  seconds: number
  rps: number
  latencyMs: Latency
  errors: number
  non2xx: number
  bytesPerSecond: number
  server: ServerUsage
}>

const ticksPerSecond = 100 // USER_HZ on Linux

const cpuTicks = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15 of the whole line)
}

const rssBytes = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m === null ? 0 : Number(m[1]) * 1024
}

/** Watches `pids` from now until the returned function is called. */
export const watchServers = (pids: ReadonlyArray<number>): (() => ServerUsage) => {
  const started = performance.now()
  const ticks0 = pids.map(cpuTicks)
  const sumRss = () => pids.reduce((sum, pid) => sum + rssBytes(pid), 0)
  const startRssBytes = sumRss()
  let peakRssBytes = startRssBytes
  const timer = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, sumRss())), 50)
  return () => {
    clearInterval(timer)
    const seconds = (performance.now() - started) / 1000
    const ticks = pids.reduce((sum, pid, i) => sum + cpuTicks(pid) - ticks0[i]!, 0)
    const endRssBytes = sumRss()
    return {
      cpuPercent: (ticks / ticksPerSecond / seconds) * 100,
      peakRssBytes: Math.max(peakRssBytes, endRssBytes),
      startRssBytes,
      endRssBytes,
    }
  }
}

export const runLoad = async (o: LoadOptions): Promise<LoadResult> => {
  const samples: Array<number> = []
  let non2xx = 0
  const stop = watchServers(o.pids)
  const started = performance.now()
  const options: autocannon.Options = {
    url: o.url as string,
    connections: o.connections,
    ...(o.amount === undefined ? { duration: o.durationS ?? 10 } : { amount: o.amount }),
    ...(o.requests === undefined ? {} : { requests: [...o.requests] }),
    ...(o.method === undefined ? {} : { method: o.method }),
    ...(o.headers === undefined ? {} : { headers: o.headers }),
    ...(o.overallRate === undefined ? {} : { overallRate: o.overallRate }),
    timeout: o.timeoutS ?? 30,
  }
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      samples.push(responseTime)
      if (statusCode < 200 || statusCode > 299) non2xx++
    })
  })
  const seconds = (performance.now() - started) / 1000
  const server = stop()
  const errors = result.errors + result.timeouts + non2xx
  const requests = samples.length
  return {
    requests,
    seconds,
    rps: requests / seconds,
    latencyMs: latencyOf(samples),
    errors,
    non2xx,
    bytesPerSecond: result.throughput.total / seconds,
    server,
  }
}

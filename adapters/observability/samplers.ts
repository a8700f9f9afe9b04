/**
 * Knows how to keep the gauges current: the pool (cheap, sampled every few seconds and before each scrape),
 * the storage totals (one aggregate query: at most once a minute, and only when someone reads them), and,
 * for StatsD, which has no scrape, the process's CPU, memory and event-loop lag.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import type { Metrics, PoolSample, StorageSample } from '../../application/ports/metrics'

export type GaugeSources = Readonly<{
  samplePool: () => PoolSample
  readStorage: () => TE.TaskEither<unknown, StorageSample>
}>

export type Samplers = Readonly<{
  /** Brings every gauge up to date (storage only when older than its minimum age); never rejects. */
  refresh: () => Promise<void>
  stop: () => void
}>

export type SamplerTimings = Readonly<{
  poolEveryMs: number
  /** Storage totals are read at most this often. */
  storageMinAgeMs: number
  /** Push storage and process figures on a timer too (StatsD); off for Prometheus alone. */
  push: boolean
  processEveryMs: number
}>

export const defaultSamplerTimings: SamplerTimings = {
  poolEveryMs: 5_000,
  storageMinAgeMs: 60_000,
  push: false,
  processEveryMs: 10_000,
}

const every = (ms: number, run: () => void): NodeJS.Timeout => {
  const timer = setInterval(run, ms)
  timer.unref()
  return timer
}

const processSampler = (metrics: Pick<Metrics, 'process'>) => {
  const lag = monitorEventLoopDelay({ resolution: 20 })
  lag.enable()
  let cpu = process.cpuUsage()
  let at = process.hrtime.bigint()
  return {
    sample: () => {
      const [cpuNow, atNow] = [process.cpuUsage(), process.hrtime.bigint()]
      const elapsedMicros = Number(atNow - at) / 1e3
      const usedMicros = cpuNow.user - cpu.user + (cpuNow.system - cpu.system)
      ;[cpu, at] = [cpuNow, atNow]
      const memory = process.memoryUsage()
      metrics.process({
        cpuRatio: elapsedMicros > 0 ? usedMicros / elapsedMicros : 0,
        residentBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        eventLoopLagP99Seconds: lag.percentile(99) / 1e9,
      })
      lag.reset()
    },
    stop: () => lag.disable(),
  }
}

export const startSamplers = (
  sources: GaugeSources,
  metrics: Metrics,
  onStorageError: (cause: unknown) => void,
  timings: SamplerTimings = defaultSamplerTimings,
): Samplers => {
  let storageReadAt: number | undefined
  let storageRead: Promise<void> | undefined
  const samplePool = () => metrics.dbPool(sources.samplePool())
  const readStorage = (): Promise<void> =>
    (storageRead ??= sources
      .readStorage()()
      .then((result) => {
        storageReadAt = Date.now()
        if (E.isRight(result)) metrics.storage(result.right)
        else onStorageError(result.left)
      })
      .finally(() => (storageRead = undefined)))
  const storageIfStale = () =>
    storageReadAt !== undefined && Date.now() - storageReadAt < timings.storageMinAgeMs
      ? Promise.resolve()
      : readStorage()
  const timers = [every(timings.poolEveryMs, samplePool)]
  const processes = timings.push ? processSampler(metrics) : undefined
  if (processes !== undefined) {
    timers.push(every(timings.processEveryMs, processes.sample))
    timers.push(every(timings.storageMinAgeMs, () => void storageIfStale()))
  }
  samplePool()
  return {
    refresh: async () => {
      samplePool()
      await storageIfStale()
    },
    stop: () => {
      for (const timer of timers) clearInterval(timer)
      processes?.stop()
    },
  }
}

/**
 * Knows how to run CPU-bound calls on a fixed number of `worker_threads`, so the event loop never computes them.
 * A call is a small structured-cloneable message; the worker answers `{ id, result }` and announces
 * `{ ready: true }` once it can compute. A call goes to the ready worker with the fewest calls in flight, or
 * waits for one. A worker that exits (crash, out of memory, terminate) fails its in-flight calls with a
 * WorkerPoolError and is replaced; close() ends every thread and fails whatever was still waiting.
 */
import { Worker } from 'node:worker_threads'

/** Why a call did not get an answer; the cause stays in operators' logs, never in a response. */
export class WorkerPoolError extends Error {
  constructor(
    readonly reason: 'crashed' | 'closed' | 'not-started',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'WorkerPoolError'
  }
}

export type WorkerPool<Req, Res> = Readonly<{
  run: (request: Req) => Promise<Res>
  /** Live threads (ready or starting), for tests and gauges. */
  size: () => number
  /** Terminates every thread; pending and later calls fail with reason 'closed'. Idempotent. */
  close: () => Promise<void>
  /** Test hook: the thread ids, to terminate one from outside as a crash would. */
  workers: () => ReadonlyArray<Worker>
}>

export type WorkerPoolOptions = Readonly<{
  /** Absolute path of the worker's entry module (`.js`, or `.ts` when running under tsx). */
  file: string
  size: number
  workerData?: unknown
  /** Before restarting a worker that died before it was ready (a broken entry must not spin). */
  restartDelayMs?: number
}>

type Pending<Res> = { resolve: (r: Res) => void; reject: (e: Error) => void }
type Slot<Res> = { worker: Worker; ready: boolean; inFlight: Map<number, Pending<Res>> }
type Waiting<Req, Res> = Pending<Res> & { request: Req }

/**
 * A compiled entry (`.js`, dist/) starts as it is. A TypeScript entry (`npm start` and mocha run under tsx) starts
 * from a one-line script that registers tsx's require hook in the new thread first: on Node 20, the loader that
 * `--import tsx` installs in the main thread does not apply inside workers. tsx is resolved only in that case,
 * so the production image (no dev dependencies) never needs it.
 */
const newWorker = (file: string, workerData: unknown): Worker =>
  file.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)})`, {
        eval: true,
        workerData,
        execArgv: [],
      })
    : new Worker(file, { workerData, execArgv: [] })

/** Starts `size` threads and resolves once every one is ready (rejects, ending them, if one fails first). */
export const startWorkerPool = async <Req, Res>(
  options: WorkerPoolOptions,
): Promise<WorkerPool<Req, Res>> => {
  const slots = new Set<Slot<Res>>()
  const waiting: Array<Waiting<Req, Res>> = []
  let nextId = 0
  let closed = false

  const send = (slot: Slot<Res>, call: Waiting<Req, Res>): void => {
    const id = nextId++
    slot.inFlight.set(id, { resolve: call.resolve, reject: call.reject })
    slot.worker.postMessage({ id, request: call.request })
  }

  const leastBusy = (): Slot<Res> | undefined => {
    let best: Slot<Res> | undefined
    for (const slot of slots)
      if (slot.ready && (best === undefined || slot.inFlight.size < best.inFlight.size)) best = slot
    return best
  }

  const drain = (): void => {
    for (let slot = leastBusy(); slot !== undefined && waiting.length > 0; slot = leastBusy())
      send(slot, waiting.shift()!)
  }

  const failWaiting = (error: WorkerPoolError): void => {
    for (const call of waiting.splice(0)) call.reject(error)
  }

  const spawn = (onFirstReady?: () => void, onEarlyExit?: (e: Error) => void): void => {
    const worker = newWorker(options.file, options.workerData)
    const slot: Slot<Res> = { worker, ready: false, inFlight: new Map() }
    slots.add(slot)
    let lastError: unknown
    worker.on('message', (message: { ready?: true; id?: number; result?: Res }) => {
      if (message.ready === true) {
        slot.ready = true
        onFirstReady?.()
        drain()
        return
      }
      const call = slot.inFlight.get(message.id!)
      slot.inFlight.delete(message.id!)
      call?.resolve(message.result!)
    })
    worker.on('error', (e) => (lastError = e))
    worker.on('exit', (code) => {
      slots.delete(slot)
      const error = closed
        ? new WorkerPoolError('closed', 'the worker pool was closed')
        : new WorkerPoolError('crashed', `a worker thread exited (code ${code})`, { cause: lastError })
      for (const call of slot.inFlight.values()) call.reject(error)
      if (closed) return
      if (!slot.ready) {
        onEarlyExit?.(error)
        if (onEarlyExit !== undefined) return
        // A replacement that cannot even start: fail the waiting calls rather than leave them hanging.
        if (leastBusy() === undefined) failWaiting(error)
      }
      const delay = slot.ready ? 0 : (options.restartDelayMs ?? 1000)
      setTimeout(() => closed || spawn(), delay).unref()
    })
  }

  const close = async (): Promise<void> => {
    closed = true
    failWaiting(new WorkerPoolError('closed', 'the worker pool was closed'))
    await Promise.all([...slots].map((slot) => slot.worker.terminate()))
  }

  await new Promise<void>((resolve, reject) => {
    let ready = 0
    let failed = false
    for (let i = 0; i < options.size; i++)
      spawn(
        () => ++ready === options.size && resolve(),
        (e) => {
          if (failed) return
          failed = true
          void close().then(() =>
            reject(new WorkerPoolError('not-started', 'a worker thread failed to start', { cause: e })),
          )
        },
      )
  })

  return {
    run: (request) =>
      new Promise<Res>((resolve, reject) => {
        if (closed) return reject(new WorkerPoolError('closed', 'the worker pool was closed'))
        waiting.push({ request, resolve, reject })
        drain()
      }),
    size: () => slots.size,
    close,
    workers: () => [...slots].map((slot) => slot.worker),
  }
}

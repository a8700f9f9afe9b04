/**
 * Knows how to compute the OPAQUE server steps on a pool of worker threads (opaque-worker.ts), so the curve
 * arithmetic of a login start or a registration (about 1.3 ms and 0.4 ms of WebAssembly here) uses every core
 * and never blocks the event loop. A worker that dies fails its in-flight steps as Unavailable (503) and is
 * replaced. close() ends the threads.
 * finishLogin stays on the calling thread: it only checks the client's MAC against the state startLogin made
 * (about 30 µs, measured by `npm run bench:opaque`), less than a round trip to a worker, and in the pool it would
 * queue behind starts that cost 40 times more.
 * SECURITY: the server setup is handed to each thread once, at its start, as workerData; it is never logged.
 */
import * as opaque from '@serenity-kit/opaque'
import { extname, join } from 'node:path'
import type { OpaqueServer } from '../../application/ports/opaque-server'
import { runOpaqueStep, type OpaqueStep, type OpaqueStepResult } from './opaque-steps'
import { opaqueServerOver } from './serenity-opaque-server'
import { startWorkerPool, type WorkerPool } from './worker-pool'

export type PooledOpaqueServer = Readonly<{
  server: OpaqueServer
  pool: WorkerPool<OpaqueStep, OpaqueStepResult>
  close: () => Promise<void>
}>

/**
 * The worker entry next to this module with the same extension: `.ts` under tsx (`npm start`, mocha), `.js` in
 * the compiled dist/ that the image runs.
 */
export const opaqueWorkerFile = join(__dirname, `opaque-worker${extname(__filename)}`)

/** Starts `size` threads (each loads the WebAssembly once) and resolves when all can compute. */
export const pooledOpaqueServer = async (serverSetup: string, size: number): Promise<PooledOpaqueServer> => {
  const pool = await startWorkerPool<OpaqueStep, OpaqueStepResult>({
    file: opaqueWorkerFile,
    size,
    workerData: { serverSetup },
  })
  await opaque.ready
  const onThisThread = opaqueServerOver((step) => Promise.resolve(runOpaqueStep(serverSetup, step)))
  const server = { ...opaqueServerOver(pool.run), finishLogin: onThisThread.finishLogin }
  return { server, pool, close: pool.close }
}

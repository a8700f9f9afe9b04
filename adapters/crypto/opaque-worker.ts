/**
 * The body of one OPAQUE worker thread (started by opaque-worker-pool.ts): loads the WebAssembly once, takes the
 * server setup once from workerData, then answers `{ id, request }` messages with `{ id, result }`, one at a time.
 * It says `{ ready: true }` once it can compute, so the pool can refuse to start with a broken worker.
 * SECURITY: the server setup stays in this thread's memory; it is never posted back or logged.
 */
import * as opaque from '@serenity-kit/opaque'
import { parentPort, workerData } from 'node:worker_threads'
import { runOpaqueStep, type OpaqueStep } from './opaque-steps'

type Request = Readonly<{ id: number; request: OpaqueStep }>

const port = parentPort
if (port === null) throw new Error('opaque-worker must run in a worker thread')
const { serverSetup } = workerData as { serverSetup: string }

void opaque.ready.then(() => {
  port.on('message', ({ id, request }: Request) =>
    port.postMessage({ id, result: runOpaqueStep(serverSetup, request) }),
  )
  port.postMessage({ ready: true })
})

/**
 * A worker for worker-pool tests, speaking the pool's protocol: answers `{ echo, threadId }` after `delayMs`
 * (so answers come back out of order), or dies of an uncaught exception when asked to `crash`.
 */
import { parentPort, threadId } from 'node:worker_threads'

export type EchoRequest = Readonly<{ value: number; delayMs?: number; crash?: true }>
export type EchoResult = Readonly<{ echo: number; threadId: number }>

const port = parentPort!
port.on('message', ({ id, request }: { id: number; request: EchoRequest }) => {
  if (request.crash === true)
    setImmediate(() => {
      throw new Error('this worker was asked to crash')
    })
  else
    setTimeout(
      () => port.postMessage({ id, result: { echo: request.value, threadId } }),
      request.delayMs ?? 0,
    )
})
port.postMessage({ ready: true })

/**
 * What the fault suites share: an upload whose body the test feeds piece by piece (so a fault can strike while
 * it is in flight), a timed call (every answer during a fault must come within a bound, never hang) and the
 * account's view of its backups and quota.
 */
import { expect } from 'chai'
import type { HttpCaller } from '../adapters/http/http-test-kit'
import { uploadHeaders } from '../adapters/http/http-test-kit'
import type { AnUpload } from '../support/test-client'

export type FedUpload = Readonly<{
  /** Sends the first `bytes` of the content. */
  feed: (bytes: number) => void
  /** Sends the rest and ends the body. */
  finish: () => void
  /** The status, or 0 when the connection was cut. */
  status: Promise<number>
}>

export const fedUpload = (server: HttpCaller, token: string, upload: AnUpload): FedUpload => {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let sent = 0
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  const status = server
    .call('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
      token,
      headers: { ...uploadHeaders(upload), 'Content-Length': String(upload.content.length) },
      body,
    })
    .then(
      async (res) => (await res.arrayBuffer(), res.status),
      () => 0,
    )
  return {
    feed: (bytes) => {
      controller.enqueue(upload.content.subarray(sent, sent + bytes))
      sent += bytes
    },
    finish: () => {
      try {
        controller.enqueue(upload.content.subarray(sent))
        controller.close()
      } catch {
        // the server already answered and the body was cancelled
      }
    },
    status,
  }
}

export type Timed = Readonly<{ status: number; ms: number; retryAfter: string | null }>

/** Calls and reads the whole answer, timing it. */
export const timed = async (run: () => Promise<Response>): Promise<Timed> => {
  const at = Date.now()
  const res = await run()
  await res.arrayBuffer()
  return { status: res.status, ms: Date.now() - at, retryAfter: res.headers.get('retry-after') }
}

/** Polls until `run` answers `status`; fails after `timeoutMs`. */
export const until = async (
  what: string,
  timeoutMs: number,
  run: () => Promise<Response>,
  status = 200,
): Promise<number> => {
  const at = Date.now()
  for (;;) {
    const answer = await run().then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    )
    if (answer === status) return Date.now() - at
    if (Date.now() - at > timeoutMs) throw new Error(`${what}: still ${answer} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The account's backup ids and the quota usage it reports. */
export const accountView = async (
  server: HttpCaller,
  token: string,
): Promise<{ backupIds: ReadonlyArray<string>; usedBytes: number }> => {
  const list = await server.call('GET', '/api/v1/backups?limit=100', { token })
  expect(list.status).to.equal(200)
  const { items } = (await list.json()) as { items: ReadonlyArray<{ backupId: string }> }
  const account = await server.call('GET', '/api/v1/account', { token })
  expect(account.status).to.equal(200)
  const { quota } = (await account.json()) as { quota: { usedBytes: number } }
  return { backupIds: items.map((b) => b.backupId).sort(), usedBytes: quota.usedBytes }
}

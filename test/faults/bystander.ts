/**
 * A bystander: another account that lists its backups, reads one's metadata and uploads small backups in a
 * loop, each call timed, while /api/health is polled beside it. Errors are every answer that is not the
 * expected status (a timeout or a cut connection counts as status 0).
 */
import { aUserWithDevice, uploadHeaders } from '../adapters/http/http-test-kit'
import { anUpload } from '../support/test-client'
import type { RunningServer } from './paused-peers-kit'

export type Sample = Readonly<{ what: string; status: number; ms: number }>

export type Workload = Readonly<{
  samples: ReadonlyArray<Sample>
  errors: ReadonlyArray<Sample>
  health: ReadonlyArray<number>
  p99: number
}>

const callTimeoutMs = 20_000

const timedCall = async (
  server: RunningServer,
  what: string,
  expected: number,
  method: string,
  target: string,
  init: Readonly<{ headers: Record<string, string>; body?: Uint8Array }>,
): Promise<Sample> => {
  const at = performance.now()
  const status = await fetch(server.base + target, {
    method,
    headers: init.headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: AbortSignal.timeout(callTimeoutMs),
  }).then(
    async (res) => (await res.arrayBuffer(), res.status),
    () => 0,
  )
  return { what, status: status === expected ? status : -status || -1, ms: performance.now() - at }
}

export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

export type Bystander = Readonly<{ run: (ms: number) => Promise<Workload> }>

export const aBystander = async (server: RunningServer): Promise<Bystander> => {
  const user = await aUserWithDevice(server)
  const auth = { Authorization: `Bearer ${user.token}` }
  const first = anUpload(user.device.deviceId, user.device.key)
  const put = (upload: typeof first) =>
    timedCall(server, 'upload', 201, 'PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
      headers: { ...auth, ...uploadHeaders(upload), 'Content-Type': 'application/octet-stream' },
      body: upload.content,
    })
  const seeded = await put(first)
  if (seeded.status !== 201) throw new Error(`bystander's first upload answered ${seeded.status}`)
  const run = async (ms: number): Promise<Workload> => {
    const samples: Sample[] = []
    const health: number[] = []
    const until = Date.now() + ms
    const polling = (async () => {
      while (Date.now() < until) {
        const h = await timedCall(server, 'health', 200, 'GET', '/api/health', { headers: {} })
        health.push(h.status)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    })()
    while (Date.now() < until) {
      samples.push(await timedCall(server, 'list', 200, 'GET', '/api/v1/backups?limit=50', { headers: auth }))
      samples.push(
        await timedCall(server, 'metadata', 200, 'GET', `/api/v1/backups/${first.input.backupId}`, {
          headers: auth,
        }),
      )
      samples.push(await put(anUpload(user.device.deviceId, user.device.key)))
    }
    await polling
    return {
      samples,
      errors: samples.filter((s) => s.status <= 0),
      health,
      p99: percentile(
        samples.map((s) => s.ms),
        99,
      ),
    }
  }
  return { run }
}

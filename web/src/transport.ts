/**
 * The fetch the SDK uses in the browser. Chromium streams a request body only over HTTP/2 or HTTP/3
 * (over HTTP/1.1 it rejects with ERR_H2_OR_QUIC_REQUIRED), so on an HTTP/1.1 page a streamed upload body is
 * first gathered into a Blob: encryption still runs one segment at a time, and the browser keeps a large
 * Blob on disk rather than in the page's memory. The one upload in flight can be aborted (`uploadSignal`).
 * Downloads bypass the HTTP cache.
 */
import type { FetchLike } from '../../client/sdk'

/** h2 / h3 when the page itself came over HTTP/2 or 3 (the API shares its origin, hence its connection). */
const pageIsHttp2OrLater = (): boolean => {
  const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[]
  return /^(h2|h3)/.test(navigation?.nextHopProtocol ?? '')
}

let currentUploadSignal: AbortSignal | undefined

/** Runs `upload` with `signal` attached to its request; uploads run one at a time (see uploads.ts). */
export const withUploadSignal = async <A>(signal: AbortSignal, upload: () => Promise<A>): Promise<A> => {
  currentUploadSignal = signal
  try {
    return await upload()
  } finally {
    currentUploadSignal = undefined
  }
}

const gather = async (stream: ReadableStream<Uint8Array>): Promise<Blob> => {
  const parts: BlobPart[] = []
  const reader = stream.getReader()
  for (let next = await reader.read(); !next.done; next = await reader.read())
    parts.push(next.value as Uint8Array<ArrayBuffer>)
  return new Blob(parts, { type: 'application/octet-stream' })
}

/** A backup's ciphertext: verified on every download, and not worth a second copy in the HTTP cache. */
const isContentDownload = (url: string, init: RequestInit): boolean =>
  (init.method ?? 'GET') === 'GET' && /\/api\/v1\/backups\/[^/]+\/content$/.test(url)

export const browserFetch: FetchLike = async (url, init) => {
  // no-store: a download that failed its checks (altered in transit or at rest) must not be kept and
  // served again from the cache after the server is repaired; a 304 would replay the bad bytes.
  if (isContentDownload(url, init)) return fetch(url, { ...init, cache: 'no-store' })
  if (!(init.body instanceof ReadableStream)) return fetch(url, init)
  const stream = init.body as ReadableStream<Uint8Array>
  const signal = currentUploadSignal
  const body = pageIsHttp2OrLater() ? stream : await gather(stream)
  const streamed = body instanceof ReadableStream ? { duplex: 'half' } : {}
  return fetch(url, { ...init, body, ...streamed, ...(signal === undefined ? {} : { signal }) })
}

/**
 * Carries what @tus/server's DataStore calls cannot see (they receive an upload id, not the request): the
 * authenticated caller and the part's Upload-Checksum, bound for the duration of one request by the Koa route
 * that hands the request to @tus/server.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type * as O from 'fp-ts/Option'
import type { Caller } from '../../../application/context'
import type { Sha256Hex } from '../../../domain/ids'

export type TusRequest = {
  readonly caller: Caller
  /** The part's SHA-256 from `Upload-Checksum: sha256 <base64>`, if sent. */
  readonly checksum: O.Option<Sha256Hex>
  /** Sets headers on the answer @tus/server is about to send (a failure's Retry-After). */
  readonly addAnswerHeaders: (headers: Readonly<Record<string, string>>) => void
  /** The error code of the answer the store gave, for the access log and metrics. */
  errorCode?: string
  /**
   * The upload this request completed (its backup committed, its session gone): @tus/server reads it back
   * after the write that completed it (creation-with-upload), and it must still be found then.
   */
  completed?: Readonly<{ uploadId: string; lengthBytes: number }>
}

export const tusRequests = new AsyncLocalStorage<TusRequest>()

export const currentTusRequest = (): TusRequest => {
  const current = tusRequests.getStore()
  if (current === undefined) throw new Error('tus store used outside a request')
  return current
}

/**
 * What the SDK and CLI tests share: a real api-v1 server (the Koa app over the in-memory application, from
 * test/adapters/http/http-test-kit) and SDK options with cheap OPAQUE stretching so suites stay fast.
 */
import { randomUUID } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { startTestServer, type TestServer } from '../../adapters/http/http-test-kit'
import type { ClientOptions, SdkError } from '../../../client/sdk'

/** Argon2id at its cheapest: the server cannot tell; registration and login in a test must both use it. */
export const testKeyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const

export const aServer = (): Promise<TestServer> => startTestServer()

export const optionsFor = (
  server: Pick<TestServer, 'base'>,
  extra: Partial<ClientOptions> = {},
): ClientOptions => ({
  baseUrl: server.base,
  keyStretching: testKeyStretching,
  retry: { maxDelayMs: 50 },
  ...extra,
})

export const aUsername = (): string => `user-${randomUUID().slice(0, 8)}`
export const aPassword = (): string => `pw-${randomUUID()}`

/** The Right of an SDK result; a Left fails the test naming the error. */
export const right = <A>(result: E.Either<SdkError, A>): A => {
  if (E.isLeft(result)) throw new Error(`expected Right, got ${JSON.stringify(result.left)}`)
  return result.right
}

/** The Left of an SDK result; a Right fails the test. */
export const left = <A>(result: E.Either<SdkError, A>): SdkError => {
  if (E.isRight(result)) throw new Error('expected Left, got Right')
  return result.left
}

/** Reads an async iterable of bytes into one Buffer. */
export const readAll = async (source: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Buffer[] = []
  for await (const part of source) parts.push(Buffer.from(part))
  return Buffer.concat(parts)
}

/** `length` deterministic pseudo-random bytes. */
export const someBytes = (length: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(length)
  let x = seed * 2654435761
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

/** A GET of one backup record (not its content). */
export const isBackupRecord = (url: string, init: RequestInit): boolean =>
  (init.method ?? 'GET') === 'GET' && /\/api\/v1\/backups\/[0-9a-f-]{36}$/.test(new URL(url).pathname)

/** The record's JSON with one bit of its `signature` flipped (still valid base64url of 64 bytes). */
export const withAlteredSignature = async (res: Response): Promise<Response> => {
  const record = (await res.json()) as { signature: string }
  const signature = Buffer.from(record.signature, 'base64url')
  signature[0]! ^= 0x01
  const body = JSON.stringify({ ...record, signature: signature.toString('base64url') })
  const headers = new Headers(res.headers)
  headers.delete('content-length')
  return new Response(body, { status: res.status, headers })
}

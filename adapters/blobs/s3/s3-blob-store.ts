/**
 * Knows how to keep blobs as objects in one S3-compatible bucket (AWS S3, Cloudflare R2, MinIO), named
 * `<accountId>/<blobId>`. Uploads stream in bounded parts (s3-write.ts); downloads stream the object's body
 * (or the requested range) as the consumer pulls.
 * SECURITY: objects are ciphertext; nothing here logs a body, and errors carry the SDK's error only.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { BlobRef, BlobStore, ByteRange } from '../../../application/ports/blob-store'
import type { ReadinessProbe } from '../../../application/ports/readiness-probe'
import { accountPrefix, blobOfKey, objectKey } from './s3-keys'
import { type PartSettings, writeObject } from './s3-write'

export type S3BlobStoreSettings = Partial<PartSettings> &
  Readonly<{
    client: S3Client
    bucket: string
    /** Keys per ListObjectsV2 page: S3's maximum (1000) unless a test wants many pages. */
    listPageSize?: number
  }>

/** 8 MiB parts, two in flight: about 24 MiB per upload at most; AWS's smallest part is 5 MiB. */
export const defaultPartSettings: PartSettings = { partSizeBytes: 8 * 1024 * 1024, partConcurrency: 2 }

/** Deletes run this many at a time: DeleteObject is understood everywhere, unlike the batch DeleteObjects. */
const deleteConcurrency = 8

const attempt = <A>(run: () => Promise<A>): TE.TaskEither<Unavailable, A> =>
  TE.tryCatch(run, unavailable('blobs'))

/**
 * The bytes of `range` out of `body`, whatever the store sent: a store or proxy that ignores Range answers 200
 * with the whole object (no Content-Range), and s3rver reads `bytes=0-0` as the whole object. Never yields
 * more than was asked for.
 */
async function* cut(
  body: AsyncIterable<Uint8Array>,
  range: ByteRange,
  partial: boolean,
): AsyncGenerator<Uint8Array> {
  let skip = partial ? 0 : range.start
  let left = range.end - range.start + 1
  for await (const chunk of body) {
    const from = Math.min(skip, chunk.length)
    skip -= from
    const piece = chunk.subarray(from, from + left)
    left -= piece.length
    if (piece.length > 0) yield piece
    if (left === 0) return
  }
}

async function* readObject(
  s: S3BlobStoreSettings,
  key: string,
  range: ByteRange | undefined,
): AsyncGenerator<Uint8Array> {
  const { Body, ContentRange } = await s.client.send(
    new GetObjectCommand({
      Bucket: s.bucket,
      Key: key,
      ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
    }),
  )
  if (Body === undefined) throw new Error('object without body')
  // In Node the body is an http.IncomingMessage: iterating it pulls from the socket with backpressure, and
  // leaving the loop early destroys it.
  const body = Body as AsyncIterable<Uint8Array>
  yield* range === undefined ? body : cut(body, range, ContentRange !== undefined)
}

/** Pages of keys under `prefix`, after `startAfter`, until the listing ends or `enough` says stop. */
const listPages = async (
  s: S3BlobStoreSettings,
  options: Readonly<{ prefix?: string; startAfter?: string }>,
  onPage: (page: ListObjectsV2CommandOutput) => Promise<'more' | 'enough'>,
): Promise<void> => {
  let token: string | undefined
  do {
    const page = await s.client.send(
      new ListObjectsV2Command({
        Bucket: s.bucket,
        Prefix: options.prefix,
        MaxKeys: s.listPageSize ?? 1000,
        ...(token === undefined ? { StartAfter: options.startAfter } : { ContinuationToken: token }),
      }),
    )
    if ((await onPage(page)) === 'enough') return
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
}

const deleteKeys = async (s: S3BlobStoreSettings, keys: ReadonlyArray<string>): Promise<void> => {
  for (let i = 0; i < keys.length; i += deleteConcurrency)
    await Promise.all(
      keys
        .slice(i, i + deleteConcurrency)
        .map((key) => s.client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: key }))),
    )
}

/** Lists and deletes page by page: an account's objects never have to fit in memory at once. */
const deleteAccount = (s: S3BlobStoreSettings, prefix: string) =>
  attempt(() =>
    listPages(s, { prefix }, async (page) => {
      await deleteKeys(
        s,
        (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key])),
      )
      return 'more'
    }),
  )

/** Keys sort as `<accountId>/<blobId>`, the same order as (accountId, blobId) for lowercase UUIDs. */
const listOlderThan = (s: S3BlobStoreSettings, cutoff: Date, after: O.Option<BlobRef>, limit: number) =>
  attempt(async () => {
    const found: BlobRef[] = []
    if (limit <= 0) return found
    const startAfter = O.isSome(after) ? objectKey(after.value.accountId, after.value.blobId) : undefined
    await listPages(s, { startAfter }, (page) => {
      for (const o of page.Contents ?? []) {
        const ref = o.Key === undefined ? undefined : blobOfKey(o.Key)
        if (ref === undefined || o.LastModified === undefined) continue
        if (o.LastModified.getTime() <= cutoff.getTime()) found.push(ref)
        if (found.length === limit) return Promise.resolve('enough')
      }
      return Promise.resolve('more')
    })
    return found
  })

export const s3BlobStore = (settings: S3BlobStoreSettings): BlobStore => {
  const s = settings
  const parts: PartSettings = {
    partSizeBytes: s.partSizeBytes ?? defaultPartSettings.partSizeBytes,
    partConcurrency: s.partConcurrency ?? defaultPartSettings.partConcurrency,
  }
  return {
    write: (accountId, blobId, chunks) =>
      pipe(
        attempt(() =>
          writeObject(
            { client: s.client, bucket: s.bucket, key: objectKey(accountId, blobId) },
            chunks,
            parts,
          ),
        ),
        TE.map((sizeBytes) => ({ sizeBytes })),
      ),
    read: (accountId, blobId, range) => ({
      [Symbol.asyncIterator]: () => readObject(s, objectKey(accountId, blobId), range),
    }),
    delete: (accountId, blobId) =>
      pipe(
        attempt(() =>
          s.client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: objectKey(accountId, blobId) })),
        ),
        TE.map(() => undefined),
      ),
    deleteAccount: (accountId) => deleteAccount(s, accountPrefix(accountId)),
    listOlderThan: (cutoff, after, limit) => listOlderThan(s, cutoff, after, limit),
  }
}

/** A health check must answer quickly: a store that hangs counts as failing. */
const probeTimeoutMs = 3_000

/** The `blobs` check of /api/health: HeadBucket proves the endpoint, the credentials and the bucket. */
export const s3ReadinessProbe = (client: S3Client, bucket: string): ReadinessProbe => ({
  name: 'blobs',
  check: () =>
    pipe(
      attempt(() =>
        client.send(new HeadBucketCommand({ Bucket: bucket }), {
          abortSignal: AbortSignal.timeout(probeTimeoutMs),
        }),
      ),
      TE.map(() => undefined),
    ),
})

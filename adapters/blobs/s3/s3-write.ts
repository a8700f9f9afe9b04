/**
 * Knows how to stream a blob into S3 with bounded memory: a blob smaller than one part is one PutObject; a
 * larger one is a multipart upload whose parts are cut from the stream as they fill, with at most
 * `partConcurrency` parts in flight, so memory stays near (partConcurrency + 1) × partSizeBytes whatever the
 * blob's size. A failure (the input stream throwing included) aborts the multipart upload: no object and no
 * stored parts remain.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'

export type PartSettings = Readonly<{ partSizeBytes: number; partConcurrency: number }>

type Target = Readonly<{ client: S3Client; bucket: string; key: string }>

/** Collects pieces until a part is full; hands out exact part-size buffers (the last may be shorter). */
const partCutter = (partSizeBytes: number) => {
  let pieces: Buffer[] = []
  let buffered = 0
  const take = (n: number): Buffer => {
    const all = Buffer.concat(pieces, buffered)
    pieces = buffered > n ? [Buffer.from(all.subarray(n))] : []
    buffered -= Math.min(n, buffered)
    return all.subarray(0, n)
  }
  return {
    add: (piece: Uint8Array) => {
      pieces.push(Buffer.from(piece.buffer, piece.byteOffset, piece.length))
      buffered += piece.length
    },
    hasFullPart: (): boolean => buffered >= partSizeBytes,
    fullPart: (): Buffer | undefined => (buffered >= partSizeBytes ? take(partSizeBytes) : undefined),
    rest: (): Buffer => take(buffered),
  }
}

/** Runs part uploads at most `limit` at a time; the first failure is rethrown by the next `add` or `drain`. */
const boundedQueue = (limit: number) => {
  const running = new Set<Promise<void>>()
  let failure: { error: unknown } | undefined
  const check = () => {
    if (failure !== undefined) throw failure.error
  }
  return {
    add: async (task: () => Promise<void>): Promise<void> => {
      while (running.size >= limit) await Promise.race(running)
      check()
      const run: Promise<void> = task()
        .catch((error: unknown) => void (failure ??= { error }))
        .finally(() => running.delete(run))
      running.add(run)
    },
    drain: async (): Promise<void> => {
      await Promise.all(running)
      check()
    },
  }
}

const multipart = async (
  t: Target,
  cutter: ReturnType<typeof partCutter>,
  pieces: AsyncIterator<Uint8Array>,
  settings: PartSettings,
): Promise<void> => {
  const created = await t.client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: t.key }))
  const uploadId = created.UploadId
  if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId')
  const parts: CompletedPart[] = []
  const queue = boundedQueue(settings.partConcurrency)
  const send = (body: Buffer) => {
    const partNumber = parts.length + 1
    const part: CompletedPart = { PartNumber: partNumber }
    parts.push(part)
    return queue.add(async () => {
      const sent = await t.client.send(
        new UploadPartCommand({
          Bucket: t.bucket,
          Key: t.key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
        }),
      )
      part.ETag = sent.ETag
    })
  }
  const sendFullParts = async () => {
    for (let part = cutter.fullPart(); part !== undefined; part = cutter.fullPart()) await send(part)
  }
  try {
    await sendFullParts()
    for (let next = await pieces.next(); next.done !== true; next = await pieces.next()) {
      cutter.add(next.value)
      await sendFullParts()
    }
    const rest = cutter.rest()
    if (rest.length > 0) await send(rest)
    await queue.drain()
    await t.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: t.bucket,
        Key: t.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    )
  } catch (error) {
    // Let parts still in flight settle first, or one could land after the abort and be stored (and billed).
    await queue.drain().catch(() => undefined)
    await t.client
      .send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId }))
      .catch(() => undefined) // best effort: the bucket's lifecycle rule is the backstop (docs/operations.md)
    throw error
  }
}

/** Consumes `chunks` into the object `key` and returns its size; throws what the stream or S3 threw. */
export const writeObject = async (
  t: Target,
  chunks: AsyncIterable<Uint8Array>,
  settings: PartSettings,
): Promise<number> => {
  const cutter = partCutter(settings.partSizeBytes)
  const pieces = chunks[Symbol.asyncIterator]()
  let size = 0
  const counted: AsyncIterator<Uint8Array> = {
    next: async () => {
      const next = await pieces.next()
      if (next.done !== true) size += next.value.length
      return next
    },
  }
  try {
    for (let next = await counted.next(); next.done !== true; next = await counted.next()) {
      cutter.add(next.value)
      if (cutter.hasFullPart()) {
        await multipart(t, cutter, counted, settings)
        return size
      }
    }
    const body = cutter.rest()
    await t.client.send(
      new PutObjectCommand({ Bucket: t.bucket, Key: t.key, Body: body, ContentLength: body.length }),
    )
    return size
  } catch (error) {
    // Lets the producer (an HTTP request, a file) release what it holds; a stream that threw is already done.
    await pieces.return?.().catch(() => undefined)
    throw error
  }
}

/**
 * What the contract cannot see of the S3 adapter: multipart uploads (parts cut from the stream, bounded memory),
 * aborting them when the stream fails, and the HeadBucket probe. Against a real s3rver.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Socket } from 'node:net'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { S3Client } from '@aws-sdk/client-s3'
import { s3ReadinessProbe } from '../../../adapters/blobs/s3/s3-blob-store'
import { createS3Client } from '../../../adapters/blobs/s3/create-s3-client'
import { keysIn, s3Blobs } from '../../contracts/s3-blobs'
import { left, right } from '../../contracts/harness'
import { aBlobId, anAccountId, inPieces } from '../../support/persistence-builders'

const MiB = 1024 * 1024
const partSizeBytes = 5 * MiB

/** Records every command the client sends, in order, with its input minus the body, until `stop`. */
const recordCommands = (client: S3Client) => {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = []
  const name = `zkebTestRecorder${randomBytes(4).toString('hex')}`
  client.middlewareStack.add(
    (next, context) => (args) => {
      const { Body: _body, ...input } = args.input as Record<string, unknown>
      sent.push({ command: context.commandName ?? '?', input })
      return next(args)
    },
    { step: 'initialize', name },
  )
  return { sent, stop: () => void client.middlewareStack.remove(name) }
}

const collect = async (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

describe('S3 blob store (s3rver)', function () {
  this.timeout(120_000)
  let h: Awaited<ReturnType<typeof s3Blobs>>
  before(async () => {
    h = await s3Blobs({ partSizeBytes, partConcurrency: 2 })
  })
  after(() => h.close())

  it('stores a blob larger than a part as a multipart upload, byte for byte, ranges across parts too', async () => {
    const { sent, stop } = recordCommands(h.client)
    const bytes = randomBytes(3 * partSizeBytes + 12_345)
    const [accountId, blobId] = [anAccountId(), aBlobId()]
    expect(await right(h.blobs.write(accountId, blobId, inPieces(bytes, 300_007)))).to.deep.equal({
      sizeBytes: bytes.length,
    })
    stop()
    const commands = sent.map((s) => s.command)
    expect(commands.filter((c) => c === 'UploadPartCommand')).to.have.length(4)
    expect(commands).to.include.members(['CreateMultipartUploadCommand', 'CompleteMultipartUploadCommand'])
    expect(commands).not.to.include('PutObjectCommand')
    expect((await collect(h.blobs.read(accountId, blobId))).equals(bytes)).to.equal(true)
    const range = { start: partSizeBytes - 10, end: 2 * partSizeBytes + 10 }
    const read = await collect(h.blobs.read(accountId, blobId, range))
    expect(read.equals(bytes.subarray(range.start, range.end + 1))).to.equal(true)
  })

  it('aborts the multipart upload when the stream throws after several parts, and leaves no object', async () => {
    const { sent, stop } = recordCommands(h.client)
    const [accountId, blobId] = [anAccountId(), aBlobId()]
    const clientGone = new Error('client went away')
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* inPieces(randomBytes(2 * partSizeBytes + 100), 1_000_003)
      throw clientGone
    }
    expect(await left(h.blobs.write(accountId, blobId, failing()))).to.include({ cause: clientGone })
    stop()
    const created = sent.find((s) => s.command === 'CreateMultipartUploadCommand')
    const aborts = sent.filter((s) => s.command === 'AbortMultipartUploadCommand')
    expect(created, 'a multipart upload was started').not.to.equal(undefined)
    expect(aborts.map((a) => a.input)).to.deep.equal([
      { Bucket: h.bucket, Key: `${accountId}/${blobId}`, UploadId: aborts[0]?.input.UploadId },
    ])
    expect(aborts[0]?.input.UploadId).to.be.a('string').and.not.equal('')
    // Every part was sent before the abort, so none can land after it.
    expect(sent.findLastIndex((s) => s.command === 'UploadPartCommand')).to.be.lessThan(
      sent.indexOf(aborts[0]!),
    )
    expect(sent.map((s) => s.command)).not.to.include('CompleteMultipartUploadCommand')
    expect(await keysIn(h.client, h.bucket)).not.to.include(`${accountId}/${blobId}`)
  })

  it('keeps memory bounded while a 256 MiB stream goes up and comes back down', async () => {
    const size = 256 * MiB
    const block = randomBytes(MiB)
    const sha = createHash('sha256')
    async function* generated(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < size / MiB; i++) {
        await new Promise(setImmediate) // as a socket would, between reads
        const piece = Buffer.from(block) // a fresh buffer per MiB, as a socket would hand over
        piece.writeUInt32BE(i, 0)
        sha.update(piece)
        for (let at = 0; at < MiB; at += 64 * 1024) yield piece.subarray(at, at + 64 * 1024)
      }
    }
    global.gc?.()
    const base = process.memoryUsage()
    const peak = { rss: base.rss, heapUsed: base.heapUsed, external: base.external }
    const sampler = setInterval(() => {
      const now = process.memoryUsage()
      peak.rss = Math.max(peak.rss, now.rss)
      peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed)
      peak.external = Math.max(peak.external, now.external)
    }, 10)
    try {
      const [accountId, blobId] = [anAccountId(), aBlobId()]
      expect(await right(h.blobs.write(accountId, blobId, generated()))).to.deep.equal({ sizeBytes: size })
      const back = createHash('sha256')
      let length = 0
      for await (const chunk of h.blobs.read(accountId, blobId)) {
        back.update(chunk)
        length += chunk.length
      }
      expect(length).to.equal(size)
      expect(back.digest('hex')).to.equal(sha.digest('hex'))
    } finally {
      clearInterval(sampler)
    }
    const growth = {
      rssMiB: Math.round((peak.rss - base.rss) / MiB),
      heapUsedMiB: Math.round((peak.heapUsed - base.heapUsed) / MiB),
      externalMiB: Math.round((peak.external - base.external) / MiB),
    }
    console.log(`      256 MiB through S3 (5 MiB parts, 2 in flight), peak growth: ${JSON.stringify(growth)}`)
    // Bounds well under the object's 256 MiB (a buffered object cannot pass them), with room for V8 collecting
    // late on a loaded 2-core machine: about 25 MiB is typical alone, 57 MiB was seen under load.
    expect(growth.rssMiB, 'RSS growth (MiB)').to.be.below(128)
    expect(growth.heapUsedMiB + growth.externalMiB, 'heap + external growth (MiB)').to.be.below(96)
  })

  it('lists and deletes an account across many truncated ListObjectsV2 pages', async () => {
    const paged = await s3Blobs({ listPageSize: 2 })
    try {
      const [gone, kept] = [anAccountId(), anAccountId()]
      const blobs = Array.from({ length: 7 }, () => aBlobId()).sort()
      for (const blobId of blobs) await right(paged.blobs.write(gone, blobId, inPieces(randomBytes(3), 3)))
      await right(paged.blobs.write(kept, aBlobId(), inPieces(randomBytes(3), 3)))
      const later = new Date(Date.now() + 60_000)
      expect(await right(paged.blobs.listOlderThan(later, O.none, 100))).to.have.length(8)
      const listed = await right(
        paged.blobs.listOlderThan(later, O.some({ accountId: gone, blobId: blobs[1]! }), 3),
      )
      expect(listed).to.deep.equal(blobs.slice(2, 5).map((blobId) => ({ accountId: gone, blobId })))
      await right(paged.blobs.deleteAccount(gone))
      expect((await keysIn(paged.client, paged.bucket)).map((k) => k.split('/')[0])).to.deep.equal([kept])
    } finally {
      await paged.close()
    }
  })

  it('reports the bucket ready, and unavailable when it does not exist', async () => {
    expect(E.isRight(await s3ReadinessProbe(h.client, h.bucket).check()())).to.equal(true)
    const missing = await s3ReadinessProbe(h.client, `${h.bucket}-missing`).check()()
    expect(missing).to.deep.include({ _tag: 'Left' })
    const nobody = createS3Client({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      forcePathStyle: true,
    })
    expect(E.isLeft(await s3ReadinessProbe(nobody, h.bucket).check()())).to.equal(true)
    nobody.destroy()
  })

  it('reports a store that accepts connections but never answers as failing, within seconds', async () => {
    const sockets: Socket[] = []
    const silent = createServer((socket) => void sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const hung = createS3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      forcePathStyle: true,
    })
    const started = Date.now()
    try {
      expect(E.isLeft(await s3ReadinessProbe(hung, 'any-bucket').check()())).to.equal(true)
      expect(Date.now() - started).to.be.below(10_000)
    } finally {
      hung.destroy()
      sockets.forEach((s) => s.destroy())
      silent.close()
    }
  })
})

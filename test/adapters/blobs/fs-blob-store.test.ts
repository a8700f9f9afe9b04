/**
 * The fs blob store beyond the contract: where and how files are written (atomic, private, never visible
 * half-written), what a crashed write leaves and how the collector removes it, a full disk (a real small
 * tmpfs) answered as `full` with nothing left behind, and the readiness probe.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { collectGarbageBlobs } from '../../../application/maintenance/collect-garbage-blobs'
import { defaultSettings } from '../../../application/settings'
import { fsBlobStore, fsReadinessProbe } from '../../../adapters/blobs/fs/fs-blob-store'
import { blobFile, temporaryName } from '../../../adapters/blobs/fs/fs-layout'
import { inMemoryBackupRepository } from '../../../adapters/in-memory/in-memory-backup-repository'
import { left, right } from '../../contracts/harness'
import { aBlobId, anAccountId, inPieces } from '../../support/persistence-builders'
import { filesUnder, mountSmallFilesystem } from './small-filesystem'

const MiB = 1024 * 1024

const readAll = async (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

const failureOf = (chunks: AsyncIterable<Uint8Array>): Promise<Error> =>
  readAll(chunks).then(
    () => expect.fail('expected the read to fail'),
    (e: unknown) => e as Error,
  )

/** An input the test releases piece by piece, so it can look at the folder while the write is in flight. */
const gatedInput = (bytes: Buffer, pieces: number) => {
  let release: () => void = () => undefined
  let arrived: () => void = () => undefined
  const size = Math.ceil(bytes.length / pieces)
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < pieces; i++) {
      yield bytes.subarray(i * size, (i + 1) * size)
      if (i === 0) {
        arrived()
        await new Promise<void>((resolve) => (release = resolve))
      }
    }
  }
  const firstArrived = new Promise<void>((resolve) => (arrived = resolve))
  return { chunks: chunks(), firstArrived, release: () => release() }
}

describe('fs blob store: files, crashes, full disks', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'zkeb-fs-store-'))
  })
  afterEach(() => rm(root, { recursive: true, force: true }))

  it('keeps each blob as one private file under <aa>/<account>/<bb>/<blob>, and no temporary file', async () => {
    const blobs = fsBlobStore(root)
    const [accountId, blobId] = [anAccountId(), aBlobId()]
    await right(blobs.write(accountId, blobId, inPieces(randomBytes(300_000), 7_000)))
    const expected = path.join(accountId.slice(0, 2), accountId, blobId.slice(0, 2), blobId)
    expect(await filesUnder(root)).to.deep.equal([expected])
    expect((await stat(path.join(root, expected))).mode & 0o777).to.equal(0o600)
    expect((await stat(path.dirname(path.join(root, expected)))).mode & 0o777).to.equal(0o700)
  })

  it('shows nothing of a blob while it is being written, then all of it at once', async () => {
    const blobs = fsBlobStore(root)
    const [accountId, blobId] = [anAccountId(), aBlobId()]
    const bytes = randomBytes(2 * MiB)
    const input = gatedInput(bytes, 8)
    const writing = right(blobs.write(accountId, blobId, input.chunks))
    await input.firstArrived
    await new Promise((resolve) => setTimeout(resolve, 20))
    await failureOf(blobs.read(accountId, blobId))
    const [file] = await filesUnder(root)
    expect(path.basename(file!)).to.match(new RegExp(`^\\.${blobId}\\.[0-9a-f]+\\.tmp$`))
    input.release()
    expect(await writing).to.deep.equal({ sizeBytes: bytes.length })
    expect((await readAll(blobs.read(accountId, blobId))).equals(bytes)).to.equal(true)
  })

  it('never reports a write whose blob was deleted while arriving, and leaves nothing of it', async () => {
    const blobs = fsBlobStore(root)
    const [accountId, blobId] = [anAccountId(), aBlobId()]
    const input = gatedInput(randomBytes(MiB), 4)
    const writing = blobs.write(accountId, blobId, input.chunks)()
    await input.firstArrived
    await right(blobs.delete(accountId, blobId))
    input.release()
    expect(E.isLeft(await writing)).to.equal(true)
    expect(await filesUnder(root)).to.deep.equal([])
  })

  it('reports a missing blob without naming its path (account and blob ids stay out of logs)', async () => {
    const [accountId, blobId] = [anAccountId(), aBlobId()]
    const error = await failureOf(fsBlobStore(root).read(accountId, blobId))
    expect(error.message).to.equal('ENOENT during open')
    expect(JSON.stringify({ ...error, message: error.message })).to.not.include(accountId)
  })

  it("lets the collector remove a crashed write's temporary file once older than the grace, not before", async () => {
    const blobs = fsBlobStore(root)
    const accountId = anAccountId()
    const crashed = async (ageSeconds: number) => {
      const blobId = aBlobId()
      const file = path.join(path.dirname(blobFile(root, accountId, blobId)), temporaryName(blobId))
      await mkdir(path.dirname(file), { recursive: true })
      await writeFile(file, randomBytes(1000))
      const at = new Date(Date.now() - ageSeconds * 1000)
      await utimes(file, at, at)
      return path.relative(root, file)
    }
    const old = await crashed(2 * defaultSettings.blobGarbageGraceSeconds)
    const recent = await crashed(60)
    const kept = aBlobId()
    await right(blobs.write(accountId, kept, inPieces(randomBytes(10), 10)))
    const collect = collectGarbageBlobs({
      backups: inMemoryBackupRepository(),
      blobs,
      clock: { now: () => new Date() },
      settings: defaultSettings,
    })
    expect(await right(collect())).to.deep.equal({ unreferenced: 1, collected: 1 })
    const left = await filesUnder(root)
    expect(left).to.not.include(old)
    expect(left).to.include(recent)
    expect(left).to.include(path.relative(root, blobFile(root, accountId, kept)))
  })

  it('answers ready while the folder takes files, and not when it is gone or another folder took over', async () => {
    expect(E.isRight(await fsReadinessProbe(root).check()())).to.equal(true)
    const taken = fsReadinessProbe(root, () => new Error('another folder is live'))
    expect(await left(taken.check())).to.include({ _tag: 'Unavailable', dependency: 'blobs' })
    const file = path.join(root, 'not-a-folder')
    await writeFile(file, 'x')
    expect(await left(fsReadinessProbe(file).check())).to.include({
      _tag: 'Unavailable',
      dependency: 'blobs',
    })
  })

  describe('on a full disk (a 4 MiB tmpfs)', () => {
    let small: Awaited<ReturnType<typeof mountSmallFilesystem>>
    before(async function () {
      small = await mountSmallFilesystem(4 * MiB)
      if (small === null) {
        console.warn('      (mounting a tmpfs was refused: run as root to test a full disk)')
        this.skip()
      }
    })
    after(() => small?.unmount())

    it('fails the write as `full`, removes its temporary file, and takes a smaller blob afterwards', async () => {
      const blobs = fsBlobStore(small!.dir)
      const [accountId, blobId] = [anAccountId(), aBlobId()]
      const failure = await left(blobs.write(accountId, blobId, inPieces(randomBytes(6 * MiB), 64 * 1024)))
      expect(failure).to.include({ _tag: 'Unavailable', dependency: 'blobs', full: true })
      expect((failure.cause as Error).message).to.match(/^(ENOSPC|EDQUOT) during /)
      expect(await filesUnder(small!.dir)).to.deep.equal([])
      await failureOf(blobs.read(accountId, blobId))
      expect(E.isRight(await fsReadinessProbe(small!.dir).check()())).to.equal(true)
      const fits = randomBytes(MiB)
      await right(blobs.write(accountId, aBlobId(), inPieces(fits, 64 * 1024)))
      expect(await filesUnder(small!.dir)).to.have.length(1)
    })
  })
})
